import type { LRUCache } from 'lru-cache';
import { expiringCache } from '../idle-expiry.js';
import type { RecordedEvent } from '../events/store/event-envelope.js';
import type { EventStore } from '../events/store/event-store.js';
import type { UpcasterRegistry } from '../events/store/upcasters.js';
import type { AuditedAggregate } from './subjects.js';

/** How far to fold a stream: up to a revision (inclusive), or up to an instant (inclusive). */
export type Until = { revision: number } | { instant: string };

export interface FoldedState<State> {
  /** the state with its personal values still sealed */
  state: State;
  /** last folded revision (-1: nothing folded) */
  revision: number;
}

interface Snapshot {
  revision: number;
  occurredAt: string;
  state: unknown;
}

export interface StreamStatesOptions {
  /** a snapshot every this many events (default 64) */
  every?: number;
  /** snapshots kept in all, those of the least recently used streams first out (default SNAPSHOT_CACHE_ENTRIES) */
  maxSnapshots?: number;
}

/** Snapshots kept unless configured (`--snapshot-cache-entries`). */
export const SNAPSHOT_CACHE_ENTRIES = 10_000;

/**
 * Folds streams to a past revision or instant without opening anything:
 * events are folded as stored (personal values sealed; evolve moves them
 * around but never reads them), so the caller opens only the one state it
 * shows. Snapshots of those sealed states, one every `every` events, bound
 * the work for long streams: a fold starts from the last snapshot before
 * the target and reads at most `every` events in one bounded read.
 *
 * Snapshots hold no plaintext: erasing a key makes their values unreadable
 * exactly as it does in the log. Events never change, so snapshots never go
 * stale; they live in memory and are rebuilt on the first fold after a
 * restart.
 *
 * "As of an instant" folds the events up to the last one that occurred at
 * or before it; occurredAt comes from the clock at append, so within a
 * stream it follows revision order.
 */
export class StreamStates {
  /** stream -> its snapshots, in revision order; weighed by how many (recounted as a list grows) */
  private readonly snapshots: LRUCache<string, Snapshot[]>;
  private readonly every: number;

  constructor(
    private readonly store: EventStore,
    private readonly upcasters: UpcasterRegistry,
    options: StreamStatesOptions = {},
  ) {
    this.every = options.every ?? 64;
    const maxSize = Math.max(1, options.maxSnapshots ?? SNAPSHOT_CACHE_ENTRIES);
    this.snapshots = expiringCache({ maxSize, sizeCalculation: (list) => Math.max(1, list.length) });
  }

  async stateAt<State>(
    aggregate: AuditedAggregate<State>,
    streamId: string,
    until: Until,
  ): Promise<FoldedState<State>> {
    const list: readonly Snapshot[] = this.snapshots.get(streamId) ?? [];
    const start = findLastFitting(list, until);
    let state = (start?.state as State | undefined) ?? aggregate.initialState;
    let revision = start?.revision ?? -1;
    for (;;) {
      const limit = 'revision' in until ? Math.min(this.every, until.revision - revision) : this.every;
      if (limit <= 0) return { state, revision };
      const chunk = await this.store.readStream(streamId, { fromRevision: revision + 1, maxCount: limit });
      for (const event of chunk) {
        if (!fits(until, event)) return { state, revision };
        state = aggregate.evolve(state, this.upcasters.upcast(event));
        revision = event.revision;
        this.remember(streamId, revision, event.occurredAt, state);
      }
      if (chunk.length < limit) return { state, revision };
    }
  }

  /** Keeps a snapshot at every `every`-th event, extending the stream's list only at its end. */
  private remember(streamId: string, revision: number, occurredAt: string, state: unknown): void {
    const list = this.snapshots.get(streamId) ?? [];
    if (revision !== (list.at(-1)?.revision ?? -1) + this.every) return;
    list.push({ revision, occurredAt, state });
    // set again: recounts the list, and whole streams go, least recently used first (this one is now the newest)
    this.snapshots.set(streamId, list);
  }
}

function fits(until: Until, event: Pick<RecordedEvent, 'revision' | 'occurredAt'>): boolean {
  return 'revision' in until ? event.revision <= until.revision : event.occurredAt <= until.instant;
}

/** The last snapshot within `until` (binary search: snapshots are in revision and time order). */
function findLastFitting(list: readonly Snapshot[], until: Until): Snapshot | undefined {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (fits(until, list[middle]!)) low = middle + 1;
    else high = middle;
  }
  return low > 0 ? list[low - 1] : undefined;
}
