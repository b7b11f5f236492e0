import { NotFoundError } from '../../errors.js';
import type { EventStore, StoredEvent } from './event-store.js';
import { chainHash } from './hash-chain.js';

/** How a link of the chain is broken. */
export type BreakKind =
  /** the stored hash is not the hash of the stored fields: the event was altered */
  | 'HASH_MISMATCH'
  /** the event does not point at the previous event's hash: an event was altered, replaced or re-hashed */
  | 'PREV_HASH_MISMATCH'
  /** the stream skips a revision (or does not start at 0): an event was removed */
  | 'REVISION_GAP';

/** The first place where the log is not what was appended. Hashes and revisions only: never data. */
export interface BrokenLink {
  streamId: string;
  revision: number;
  position: number;
  kind: BreakKind;
  /** what the chain says should be there (a hash, or a revision) */
  expected: string;
  /** what is stored */
  found: string;
}

export interface IntegrityReport {
  eventsChecked: number;
  streamsChecked: number;
  /** null when every link holds */
  firstBreak: BrokenLink | null;
}

/** Where a stream stands after its last verified event. */
interface Link {
  revision: number;
  hash: string;
}

/** Checks one event against the last verified event of its stream (undefined: none yet). */
export function checkLink(event: StoredEvent, previous: Link | undefined): BrokenLink | null {
  const at = { streamId: event.streamId, revision: event.revision, position: event.position };
  const expectedRevision = previous ? previous.revision + 1 : 0;
  if (event.revision !== expectedRevision) {
    return { ...at, kind: 'REVISION_GAP', expected: String(expectedRevision), found: String(event.revision) };
  }
  const expectedPrev = previous?.hash ?? '';
  if (event.prevHash !== expectedPrev) {
    return { ...at, kind: 'PREV_HASH_MISMATCH', expected: expectedPrev, found: event.prevHash };
  }
  const hash = chainHash(event.streamId, event.revision, event, event.dataJson, event.metadataJson, event.prevHash);
  if (hash !== event.hash) return { ...at, kind: 'HASH_MISMATCH', expected: hash, found: event.hash };
  return null;
}

/**
 * Recomputes the hash chain from the stored bytes and reports the first
 * broken link. Erasure destroys keys and leaves the sealed bytes alone, so an
 * erased log verifies like any other. What the chain cannot show: removing a
 * stream's newest events, or rewriting a stream's whole tail with new
 * hashes, leaves a valid shorter or different chain.
 */
export class IntegrityVerifier {
  constructor(
    private readonly events: EventStore,
    private readonly pageSize = 2_000,
  ) {}

  /** One stream, in revision order. A stream with no events is NOT_FOUND. */
  async verifyStream(streamId: string): Promise<IntegrityReport> {
    let previous: Link | undefined;
    let checked = 0;
    for (;;) {
      // `fromRevision` is inclusive and skips nothing that is there: a removed revision shows as a gap.
      const page = await this.events.readStored({
        streamId,
        fromRevision: previous ? previous.revision + 1 : 0,
        maxCount: this.pageSize,
      });
      if (page.length === 0 && checked === 0) throw new NotFoundError('stream', streamId);
      for (const event of page) {
        const broken = checkLink(event, previous);
        checked++;
        if (broken) return { eventsChecked: checked, streamsChecked: 1, firstBreak: broken };
        previous = { revision: event.revision, hash: event.hash };
      }
      if (page.length < this.pageSize) return { eventsChecked: checked, streamsChecked: 1, firstBreak: null };
    }
  }

  /** The whole log in position order, each event against its stream's previous one; stops at the first break. */
  async verifyAll(onProgress?: (done: number, total: number) => void): Promise<IntegrityReport> {
    const total = await this.events.headPosition();
    const streams = new Map<string, Link>();
    let position = 0;
    let checked = 0;
    for (;;) {
      const page = await this.events.readStored({ fromPosition: position, maxCount: this.pageSize });
      for (const event of page) {
        const broken = checkLink(event, streams.get(event.streamId));
        checked++;
        if (broken)
          return {
            eventsChecked: checked,
            streamsChecked: streams.size + (streams.has(event.streamId) ? 0 : 1),
            firstBreak: broken,
          };
        streams.set(event.streamId, { revision: event.revision, hash: event.hash });
        position = event.position;
      }
      onProgress?.(Math.min(position, total), total);
      if (page.length < this.pageSize)
        return { eventsChecked: checked, streamsChecked: streams.size, firstBreak: null };
    }
  }
}
