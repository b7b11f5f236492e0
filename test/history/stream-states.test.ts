import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StreamStates } from '../../src/history/stream-states.js';
import type { AuditedAggregate } from '../../src/history/subjects.js';
import type { NewEvent } from '../../src/events/store/event-envelope.js';
import { SqliteEventStore } from '../../src/events/store/sqlite/sqlite-event-store.js';
import { upcasters } from '../../src/events/store/upcasters.js';
import { tempDir } from '../projections/fixtures.js';

/** Sums `n` over a stream: the smallest aggregate that shows what was folded. */
const summing: AuditedAggregate<number> = {
  streamOf: (id) => `sum-${id}`,
  initialState: 0,
  evolve: (total, event) => total + (event.data as { n: number }).n,
  record: (total) => ({ total }),
};
const events = (count: number): NewEvent[] =>
  Array.from({ length: count }, (_, i) => ({
    eventId: crypto.randomUUID(),
    type: 'Added',
    schemaVersion: 1,
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    data: { n: i + 1 },
    metadata: { actor: { id: 'tester', kind: 'system' }, correlationId: 'c' },
  }));

describe('stream states', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  beforeEach(async () => {
    tmp = tempDir('pl-states-');
    store = SqliteEventStore.open(path.join(tmp.dir, 'events.sqlite'));
    await store.append('sum-a', events(20), { expectedRevision: 'no_stream' });
    await store.append('sum-b', events(20), { expectedRevision: 'no_stream' });
  });
  afterEach(async () => {
    await store.close();
    tmp.remove();
  });

  it('folds to a revision or an instant, inclusive', async () => {
    const states = new StreamStates(store, upcasters, { every: 4 });
    expect(await states.stateAt(summing, 'sum-a', { revision: 4 })).toEqual({ state: 15, revision: 4 });
    expect(await states.stateAt(summing, 'sum-a', { instant: '2026-01-01T00:00:02.000Z' })).toEqual({
      state: 6,
      revision: 2,
    });
    expect(await states.stateAt(summing, 'sum-a', { instant: '2025-12-31T23:59:59.999Z' })).toEqual({
      state: 0,
      revision: -1,
    });
    expect(await states.stateAt(summing, 'sum-none', { revision: 10 })).toEqual({ state: 0, revision: -1 });
  });

  it('a later fold starts from the last snapshot before its target and reads at most one interval', async () => {
    const states = new StreamStates(store, upcasters, { every: 4 });
    await states.stateAt(summing, 'sum-a', { revision: 19 });
    const reads = vi.spyOn(store, 'readStream');
    expect(await states.stateAt(summing, 'sum-a', { revision: 18 })).toEqual({ state: 190, revision: 18 });
    expect(reads.mock.calls).toEqual([['sum-a', { fromRevision: 16, maxCount: 3 }]]);
  });

  it('keeps at most maxSnapshots, dropping the least recently used stream’s', async () => {
    const states = new StreamStates(store, upcasters, { every: 4, maxSnapshots: 5 });
    await states.stateAt(summing, 'sum-a', { revision: 19 }); // 5 snapshots
    await states.stateAt(summing, 'sum-b', { revision: 19 }); // 5 more: a's go
    const reads = vi.spyOn(store, 'readStream');
    await states.stateAt(summing, 'sum-b', { revision: 18 });
    await states.stateAt(summing, 'sum-a', { revision: 18 });
    expect(reads.mock.calls.map(([stream, options]) => [stream, options?.fromRevision])).toEqual([
      ['sum-b', 16],
      ['sum-a', 0],
      ['sum-a', 4],
      ['sum-a', 8],
      ['sum-a', 12],
      ['sum-a', 16],
    ]);
  });
});
