import { ValidationError } from '../errors.js';
import type { Actor, RecordedEvent } from '../events/store/event-envelope.js';
import type { EventStore } from '../events/store/event-store.js';
import type { UpcasterRegistry } from '../events/store/upcasters.js';
import type { PersonalDataCodec } from '../privacy/personal-data-codec.js';
import { changesBetween, flattenRecord, openFlatStates, type FieldChange } from './diff.js';
import type { StreamStates } from './stream-states.js';
import { aggregateOf, type AuditSubject } from './subjects.js';

/** One recorded change of a publisher or an offer, as an auditor reads it. */
export interface HistoryEntry {
  subject: AuditSubject;
  /** 0-based index of the event in the subject's stream */
  revision: number;
  /** global log position */
  position: number;
  type: string;
  schemaVersion: number;
  occurredAt: string;
  actor: Actor;
  /** the record's fields this event changed, before and after (empty when it changed none) */
  changes: FieldChange[];
}

export interface HistoryPage {
  entries: HistoryEntry[];
  hasNextPage: boolean;
  /** number of events in the subject's stream */
  totalCount: number;
}

/**
 * The change history of a publisher or an offer, folded from its stream with
 * the aggregate's own evolve: each event's changes are the difference between
 * the record's state before and after it. States are folded sealed (see
 * StreamStates) and only the page's values are opened, with one key lookup.
 * A deleted offer keeps its whole history; erased values read as ERASED.
 */
export class History {
  constructor(
    private readonly store: EventStore,
    private readonly personalData: PersonalDataCodec,
    private readonly states: StreamStates,
    private readonly upcasters: UpcasterRegistry,
  ) {}

  /** Up to `first` entries after revision `afterRevision` (-1: from the start), oldest first. */
  async page(subject: AuditSubject, first: number, afterRevision = -1): Promise<HistoryPage> {
    const aggregate = aggregateOf(subject.kind);
    const streamId = aggregate.streamOf(subject.id);
    const [events, last] = await Promise.all([
      this.store.readStream(streamId, { fromRevision: afterRevision + 1, maxCount: first + 1 }),
      this.store.readStream(streamId, { direction: 'backwards', maxCount: 1 }),
    ]);
    const totalCount = (last[0]?.revision ?? -1) + 1;
    const shown = events.slice(0, first).map((event) => this.upcasters.upcast(event));
    if (shown.length === 0) return { entries: [], hasNextPage: false, totalCount };
    const start = await this.states.stateAt(aggregate, streamId, { revision: afterRevision });
    const sealed = [start.state];
    for (const event of shown) sealed.push(aggregate.evolve(sealed.at(-1)!, event));
    const flat = sealed.map((state) => flattenRecord(aggregate.record(state)));
    const opened = await openFlatStates(flat, this.personalData);
    const entries = shown.map((event, i) => ({
      ...entryOf(subject, event),
      changes: changesBetween({ before: flat[i]!, after: flat[i + 1]! }, { before: opened[i]!, after: opened[i + 1]! }),
    }));
    return { entries, hasNextPage: events.length > first, totalCount };
  }

  /** The whole history (for export and replay). */
  async all(subject: AuditSubject): Promise<HistoryEntry[]> {
    const entries: HistoryEntry[] = [];
    for (let after = -1; ;) {
      const page = await this.page(subject, 500, after);
      entries.push(...page.entries);
      if (!page.hasNextPage) break;
      after = page.entries.at(-1)!.revision;
    }
    return entries;
  }
}

function entryOf(subject: AuditSubject, event: RecordedEvent): Omit<HistoryEntry, 'changes'> {
  const actor = event.metadata.actor;
  return {
    subject,
    revision: event.revision,
    position: event.position,
    type: event.type,
    schemaVersion: event.schemaVersion,
    occurredAt: event.occurredAt,
    actor: {
      id: actor.id,
      kind: actor.kind,
      ...(actor.role ? { role: actor.role } : {}),
      ...(actor.publisherId ? { publisherId: actor.publisherId } : {}),
    },
  };
}

/** Page cursors of a history: opaque to clients, a revision inside. */
export const historyCursor = {
  encode: (revision: number): string => Buffer.from(`revision:${revision}`).toString('base64url'),
  /** The revision a cursor stands for; a cursor this API did not make is BAD_USER_INPUT. */
  decode(cursor: string): number {
    const match = /^revision:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!match) throw new ValidationError('after', 'must be a cursor returned by this list');
    return Number(match[1]);
  },
};
