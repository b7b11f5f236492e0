import type { ModuleExport } from '../../module-export.js';
import type { RecordedEvent } from './event-envelope.js';

/**
 * Schema evolution. An event type's shape may change; the log is never
 * rewritten (the hash chain covers the stored bytes), so older events are
 * turned into the current shape on read, one version step at a time.
 *
 * An upcaster sees the data as stored: personal values are still sealed
 * `PersonalValue` objects. It may move, rename or drop them, or add fields
 * with defaults, but it can never read them (and must not try): upcasting
 * runs before the codec opens anything, and in projections, which never do.
 */
export interface Upcaster {
  /** the event type it reads */
  type: string;
  /** the schema version it reads; it returns version `fromVersion + 1` */
  fromVersion: number;
  upcast(data: Record<string, unknown>): Record<string, unknown>;
}

/**
 * The upcasters of each event type, in a chain from version 1. The current
 * version of a type is one more than its last upcaster's `fromVersion`
 * (1 when it has none): the codec stamps it on every new event.
 */
export class UpcasterRegistry {
  private readonly chains = new Map<string, Upcaster[]>();

  /**
   * `exportedAs`: where this registry is exported, so that another thread
   * can upcast with the very same one (a rebuild's reading thread,
   * src/projections/runner/threaded-replay.ts); a registry without it is
   * used on its own thread only.
   */
  constructor(
    upcasters: readonly Upcaster[] = [],
    readonly exportedAs?: ModuleExport,
  ) {
    for (const upcaster of upcasters) {
      const chain = this.chains.get(upcaster.type) ?? [];
      if (upcaster.fromVersion !== chain.length + 1) {
        throw new Error(
          `the upcasters of ${upcaster.type} must read versions 1, 2, 3... in order; got ${upcaster.fromVersion} after ${chain.length}`,
        );
      }
      chain.push(upcaster);
      this.chains.set(upcaster.type, chain);
    }
  }

  /** The version new events of this type are written in. */
  currentVersion(type: string): number {
    return (this.chains.get(type)?.length ?? 0) + 1;
  }

  /**
   * The event in its type's current shape (the same object when it already
   * is). An event newer than this build knows is refused rather than
   * misread.
   */
  upcast(event: RecordedEvent): RecordedEvent {
    const current = this.currentVersion(event.type);
    if (event.schemaVersion === current) return event;
    if (!Number.isInteger(event.schemaVersion) || event.schemaVersion < 1 || event.schemaVersion > current) {
      throw new Error(
        `event ${event.streamId}@${event.revision} (${event.type}) has schema version ${event.schemaVersion}; this build reads 1 to ${current}`,
      );
    }
    let data = event.data;
    for (const step of this.chains.get(event.type)!.slice(event.schemaVersion - 1)) data = step.upcast(data);
    return { ...event, data, schemaVersion: current };
  }

  upcastAll(events: readonly RecordedEvent[]): RecordedEvent[] {
    return events.map((event) => this.upcast(event));
  }
}

/**
 * The production registry. No event type has changed shape yet: every type
 * is at version 1. When one does, add its upcaster here (and a test reading
 * a stored older event as the new version).
 */
export const upcasters = new UpcasterRegistry([], { module: import.meta.url, name: 'upcasters' });
