import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RecordedEvent } from '../../../src/events/store/event-envelope.js';
import { foldDocuments, type ProjectedDoc } from '../../../src/projections/document-projection.js';
import { SqliteLeaseStore } from '../../../src/projections/store/sqlite/sqlite-lease-store.js';
import { countedEvent, tempDir } from '../fixtures.js';
import { sqliteWorker } from './worker-fixture.js';

interface CounterDoc extends ProjectedDoc {
  count: number;
  /** every event number folded in, to see none is applied twice or skipped */
  seen: number[];
}
const counters = foldDocuments<CounterDoc, RecordedEvent>({
  select: (event) => event,
  name: 'counters',
  collection: { name: 'counters' },
  documentId: (event) => event.streamId,
  evolve: (doc, event) => ({
    id: event.streamId,
    count: (doc?.count ?? 0) + 1,
    seen: [...(doc?.seen ?? []), (event.data as { n: number }).n],
  }),
});

const event = countedEvent;

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const TTL = 400;
/** Long enough for a loaded machine; only a hang waits this long. */
const WAIT = 20_000;

/**
 * The leases' clock moves only when a test moves it. On the wall clock a machine
 * too busy to run the renewal within TTL * 2/3 lost the lease mid-test (a stall
 * any loaded machine has); what these tests show is what happens at expiry.
 */
function manualClock() {
  let now = Date.parse('2026-11-22T10:00:00Z');
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

const worker = (dir: string, holder: string, clock: ReturnType<typeof manualClock>) =>
  sqliteWorker(dir, counters, holder, { ttlMs: TTL, batchSize: 4, clock });

async function until(condition: () => Promise<boolean> | boolean, timeoutMs = WAIT): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('projection workers on one data directory', () => {
  let tmp: ReturnType<typeof tempDir>;
  let clock: ReturnType<typeof manualClock>;
  let a: ReturnType<typeof worker>;
  let b: ReturnType<typeof worker>;

  beforeEach(() => {
    tmp = tempDir('pl-workers-');
    clock = manualClock();
    a = worker(tmp.dir, 'worker-a', clock);
    b = worker(tmp.dir, 'worker-b', clock);
  });
  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
    tmp.remove();
  });

  const stateOf = async (w: ReturnType<typeof worker>) => (await w.runner.status())[0]!.state;

  it('exactly one runs a projection; the other waits, following its checkpoint, and takes over when it stops', async () => {
    const first = await a.events.append('s-1', range(0, 30).map(event), { expectedRevision: 'no_stream' });
    await a.runner.start();
    await b.runner.start();
    await a.runner.waitFor(first.position, WAIT);
    // live once the subscription has also reported it caught up, just after the batch
    await vi.waitFor(async () => expect(await stateOf(a)).toBe('live'), { timeout: WAIT });
    expect(await stateOf(b)).toBe('standby');
    // The waiting worker still answers read-your-writes, from the holder's checkpoint.
    await b.runner.waitFor(first.position, WAIT);

    await a.runner.stop();
    const more = await b.events.append('s-1', range(30, 40).map(event), {
      expectedRevision: first.nextExpectedRevision,
    });
    await b.runner.waitFor(more.position, WAIT);
    await until(async () => (await stateOf(b)) === 'live');
    const doc = await b.reads.get<CounterDoc>('counters', 's-1');
    expect(doc?.count).toBe(40);
    expect(doc?.seen).toEqual(range(0, 40));
    expect((await b.leases.current('counters'))?.holder).toBe('worker-b');
  });

  it('when the running worker dies without letting go, the other takes over once the lease expires', async () => {
    const first = await a.events.append('s-1', range(0, 10).map(event), { expectedRevision: 'no_stream' });
    await a.runner.start();
    await a.runner.waitFor(first.position, WAIT);
    await b.runner.start();
    expect(await stateOf(b)).toBe('standby');
    const deposed = (await a.leases.current('counters'))!.token;

    // Worker a dies: its connection to the leases goes, so it can neither renew nor release.
    await a.leases.close();
    const more = await a.events.append('s-1', range(10, 25).map(event), {
      expectedRevision: first.nextExpectedRevision,
    });
    // b looks every 20 ms: until the lease runs out it stays in standby
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await stateOf(b)).toBe('standby');
    expect((await b.leases.current('counters'))?.holder).toBe('worker-a');
    clock.advance(TTL);
    await until(async () => (await b.leases.current('counters'))?.holder === 'worker-b');
    expect((await b.leases.current('counters'))!.token).toBeGreaterThan(deposed);
    await b.runner.waitFor(more.position, WAIT);
    // a has stopped writing: it is no longer live, and never wrote past its lease.
    await until(async () => (await stateOf(a)) !== 'live');
    const doc = await b.reads.get<CounterDoc>('counters', 's-1');
    expect(doc?.seen).toEqual(range(0, 25));
  });

  it('a worker whose lease was taken over stops writing at once, and resumes only when it gets the lease back', async () => {
    const deposed = sqliteWorker(tmp.dir, counters, 'worker-c', { ttlMs: 60_000, batchSize: 4, clock });
    const usurper = SqliteLeaseStore.open(path.join(tmp.dir, 'read-models.sqlite'), clock);
    try {
      const first = await deposed.events.append('s-1', range(0, 5).map(event), { expectedRevision: 'no_stream' });
      await deposed.runner.start();
      await deposed.runner.waitFor(first.position, WAIT);
      clock.advance(60_000);
      const taken = await usurper.acquire('counters', 'worker-d', 60_000);
      expect(taken).not.toBeNull();
      const more = await deposed.events.append('s-1', range(5, 9).map(event), {
        expectedRevision: first.nextExpectedRevision,
      });
      await until(async () => (await stateOf(deposed)) === 'standby');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await deposed.reads.getCheckpoint('counters')).toBe(first.position);
      expect((await deposed.reads.get<CounterDoc>('counters', 's-1'))?.count).toBe(5);

      await usurper.release(taken!);
      await deposed.runner.waitFor(more.position, WAIT);
      const doc = await deposed.reads.get<CounterDoc>('counters', 's-1');
      expect(doc?.seen).toEqual(range(0, 9));
      expect((await deposed.leases.current('counters'))?.token).toBeGreaterThan(taken!.token);
    } finally {
      await usurper.close();
      await deposed.close();
    }
  });

  it('a rebuild that takes longer than the lease lasts keeps its lease: it lets the renewal run between batches', async () => {
    // every batch holds the event loop for 30 ms, as a large batch of real projection work does, and the
    // leases' clock moves by that much: a machine that stalls this process between batches moves the wall
    // clock past any short lease, not this one, while a rebuild that never yields still outlives it
    const slow = {
      ...counters,
      project: async (
        events: Parameters<typeof counters.project>[0],
        store: Parameters<typeof counters.project>[1],
      ) => {
        const until = Date.now() + 30;
        while (Date.now() < until);
        clock.advance(30);
        return counters.project(events, store);
      },
    };
    const w = sqliteWorker(tmp.dir, slow, 'rebuilder', { ttlMs: 200, batchSize: 4, clock });
    try {
      await w.events.append('s-1', range(0, 60).map(event), { expectedRevision: 'no_stream' });
      await w.runner.rebuild('counters'); // 15 batches, ~450 ms: more than twice the lease
      expect(await w.reads.get('counters', 's-1')).toMatchObject({ count: 60 });
    } finally {
      await w.close();
    }
  });
});
