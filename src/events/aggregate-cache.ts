import type { StreamKeys } from '../privacy/keys/stream-keys.js';
import type { IdempotencyMark } from './idempotency.js';

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

/**
 * Folded aggregate states by stream, least recently used first out. A
 * command reads only the events after the cached revision, so its cost no
 * longer grows with the aggregate's history. Always reading the tail keeps
 * this correct when other processes append to the same stream.
 *
 * States hold opened personal values: erasure must `forget` the streams it
 * touches (or append an event that evolve blanks them with).
 */
export class AggregateCache {
  private readonly entries = new Map<string, CachedAggregate<unknown>>();

  constructor(private readonly capacity = 10_000) {}

  get<State>(streamId: string): CachedAggregate<State> | undefined {
    const entry = this.entries.get(streamId);
    if (entry) {
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
    }
    return entry as CachedAggregate<State> | undefined;
  }

  set<State>(streamId: string, entry: CachedAggregate<State>): void {
    this.entries.delete(streamId);
    this.entries.set(streamId, entry as CachedAggregate<unknown>);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  forget(streamId: string): void {
    this.entries.delete(streamId);
  }
}

export function markOf(metadata: Record<string, unknown>): IdempotencyMark | undefined {
  return metadata['idempotency'] as IdempotencyMark | undefined;
}
