import type { StreamKeys } from '../privacy/keys/stream-keys.js';
import type { LRUCache } from 'lru-cache';
import { expiringCache } from '../idle-expiry.js';
import type { Forgetful } from '../privacy/forgetting.js';
import { idempotencySubject, type IdempotencyMark } from './idempotency.js';

const IDEMPOTENCY = idempotencySubject('');

/** A stream folded up to `revision`, with the idempotency marks seen in it. */
export interface CachedAggregate<State> {
  state: State;
  /** revision of the last folded event (-1: the stream does not exist yet) */
  revision: number;
  /** position of that event (0 when none) */
  position: number;
  /** idempotency key -> what its first attempt appended */
  marks: Map<string, { fingerprint: string; revision: number; position: number }>;
  /** the data keys its values were sealed under and those its erasures retired (from the stored events) */
  keys: StreamKeys;
}

/** Folded streams remembered unless configured (`--aggregate-cache-entries`). */
export const AGGREGATE_CACHE_ENTRIES = 5_000;

/**
 * Folded aggregate states by stream, least recently used first out. A
 * command reads only the events after the cached revision, so its cost no
 * longer grows with the aggregate's history. Always reading the tail keeps
 * this correct when other processes append to the same stream.
 *
 * States hold opened personal values: a stream goes when the key of any
 * subject sealed in it is destroyed, or its idempotency key (registered
 * with the key store's Forgetting, see src/privacy/forgetting.ts).
 */
export class AggregateCache implements Forgetful {
  private readonly entries: LRUCache<string, CachedAggregate<unknown>>;
  /** subject id -> the cached streams that hold values of it */
  private readonly streamsOf = new Map<string, Set<string>>();
  /** the stream whose entry `set` is replacing with one of the same keys: its index stays as it is */
  private keeping: string | undefined;

  constructor(maxEntries = AGGREGATE_CACHE_ENTRIES) {
    this.entries = expiringCache({
      max: maxEntries,
      dispose: (entry, streamId, reason) => {
        if (reason !== 'set' || streamId !== this.keeping) this.unindex(streamId, entry);
      },
    });
  }

  get<State>(streamId: string): CachedAggregate<State> | undefined {
    return this.entries.get(streamId) as CachedAggregate<State> | undefined;
  }

  set<State>(streamId: string, entry: CachedAggregate<State>): void {
    // A stream's usual write seals under the keys it has (StreamKeys.with returns the same object):
    // its subjects are indexed already. Unindexing and indexing them again was 2% of a durable mutation's request thread.
    const sameKeys = this.entries.peek(streamId)?.keys === entry.keys;
    this.keeping = sameKeys ? streamId : undefined;
    try {
      this.entries.set(streamId, entry as CachedAggregate<unknown>);
    } finally {
      this.keeping = undefined;
    }
    if (sameKeys) return;
    for (const subjectId of entry.keys.subjects()) {
      let streams = this.streamsOf.get(subjectId);
      if (!streams) this.streamsOf.set(subjectId, (streams = new Set()));
      streams.add(streamId);
    }
  }

  forget(streamId: string): void {
    this.entries.delete(streamId);
  }

  forgetSubjects(subjectIds: ReadonlySet<string>): void {
    for (const subjectId of subjectIds) {
      for (const streamId of [...(this.streamsOf.get(subjectId) ?? [])]) this.entries.delete(streamId);
      const stream = subjectId.startsWith(IDEMPOTENCY) ? subjectId.slice(IDEMPOTENCY.length) : undefined;
      if (stream !== undefined) this.entries.delete(stream);
    }
  }

  private unindex(streamId: string, entry: CachedAggregate<unknown>): void {
    for (const subjectId of entry.keys.subjects()) {
      const streams = this.streamsOf.get(subjectId);
      streams?.delete(streamId);
      if (streams?.size === 0) this.streamsOf.delete(subjectId);
    }
  }
}

export function markOf(metadata: Record<string, unknown>): IdempotencyMark | undefined {
  return metadata['idempotency'] as IdempotencyMark | undefined;
}
