import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RecordedEvent } from '../../src/events/event-envelope.js';
import { foldDocuments, type ProjectedDoc } from '../../src/projections/document-projection.js';
import { SqliteLeaseStore } from '../../src/projections/sqlite/sqlite-lease-store.js';
import { countedEvent, tempDir } from './fixtures.js';
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
  evolve: (doc, event) => ({ id: event.streamId, count: (doc?.count ?? 0) + 1, seen: [...(doc?.seen ?? []), (event.data as { n: number }).n] }),
});

const event = countedEvent;

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const TTL = 400;

const worker = (dir: string, holder: string) => sqliteWorker(dir, counters, holder, { ttlMs: TTL, batchSize: 4 });

async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('projection workers on one data directory', () => {
  let tmp: ReturnType<typeof tempDir>;
  let a: ReturnType<typeof worker>;
  let b: ReturnType<typeof worker>;

  beforeEach(() => {
    tmp = tempDir('pl-workers-');
    a = worker(tmp.dir, 'worker-a');
    b = worker(tmp.dir, 'worker-b');
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
    await a.runner.waitFor(first.position, 5_000);
    // live once the subscription has also reported it caught up, just after the batch
    await vi.waitFor(async () => expect(await stateOf(a)).toBe('live'));
    expect(await stateOf(b)).toBe('standby');
    // The waiting worker still answers read-your-writes, from the holder's checkpoint.
    await b.runner.waitFor(first.position, 5_000);

    await a.runner.stop();
    const more = await b.events.append('s-1', range(30, 40).map(event), { expectedRevision: first.nextExpectedRevision });
    await b.runner.waitFor(more.position, 5_000);
    await until(async () => (await stateOf(b)) === 'live');
    const doc = await b.reads.get<CounterDoc>('counters', 's-1');
    expect(doc?.count).toBe(40);
    expect(doc?.seen).toEqual(range(0, 40));
    expect((await b.leases.current('counters'))?.holder).toBe('worker-b');
  });

  it('when the running worker dies without letting go, the other takes over once the lease expires', async () => {
    const first = await a.events.append('s-1', range(0, 10).map(event), { expectedRevision: 'no_stream' });
    await a.runner.start();
    await a.runner.waitFor(first.position, 5_000);
    await b.runner.start();
    expect(await stateOf(b)).toBe('standby');
    const deposed = (await a.leases.current('counters'))!.token;

    // Worker a dies: its connection to the leases goes, so it can neither renew nor release.
    await a.leases.close();
    const diedAt = Date.now();
    const more = await a.events.append('s-1', range(10, 25).map(event), { expectedRevision: first.nextExpectedRevision });
    await until(async () => (await b.leases.current('counters'))?.holder === 'worker-b');
    expect(Date.now() - diedAt).toBeGreaterThanOrEqual(TTL / 2);
    expect((await b.leases.current('counters'))!.token).toBeGreaterThan(deposed);
    await b.runner.waitFor(more.position, 5_000);
    // a has stopped writing: it is no longer live, and never wrote past its lease.
    await until(async () => (await stateOf(a)) !== 'live');
    const doc = await b.reads.get<CounterDoc>('counters', 's-1');
    expect(doc?.seen).toEqual(range(0, 25));
  });

  it('a worker whose lease was taken over stops writing at once, and resumes only when it gets the lease back', async () => {
    let now = Date.parse('2026-11-22T10:00:00Z');
    const clock = { now: () => new Date(now) };
    const deposed = sqliteWorker(tmp.dir, counters, 'worker-c', { ttlMs: 60_000, batchSize: 4, clock });
    const usurper = SqliteLeaseStore.open(path.join(tmp.dir, 'read-models.sqlite'), clock);
    try {
      const first = await deposed.events.append('s-1', range(0, 5).map(event), { expectedRevision: 'no_stream' });
      await deposed.runner.start();
      await deposed.runner.waitFor(first.position, 5_000);
      now += 60_000;
      const taken = await usurper.acquire('counters', 'worker-d', 60_000);
      expect(taken).not.toBeNull();
      const more = await deposed.events.append('s-1', range(5, 9).map(event), { expectedRevision: first.nextExpectedRevision });
      await until(async () => (await stateOf(deposed)) === 'standby');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await deposed.reads.getCheckpoint('counters')).toBe(first.position);
      expect((await deposed.reads.get<CounterDoc>('counters', 's-1'))?.count).toBe(5);

      await usurper.release(taken!);
      await deposed.runner.waitFor(more.position, 5_000);
      const doc = await deposed.reads.get<CounterDoc>('counters', 's-1');
      expect(doc?.seen).toEqual(range(0, 9));
      expect((await deposed.leases.current('counters'))?.token).toBeGreaterThan(taken!.token);
    } finally {
      await usurper.close();
      await deposed.close();
    }
  });

  it('a rebuild that takes longer than the lease lasts keeps its lease: it lets the renewal run between batches', async () => {
    // every batch holds the event loop for 30 ms, as a large batch of real projection work does
    const slow = { ...counters, project: async (events: Parameters<typeof counters.project>[0], store: Parameters<typeof counters.project>[1]) => {
      const until = Date.now() + 30;
      while (Date.now() < until);
      return counters.project(events, store);
    } };
    const w = sqliteWorker(tmp.dir, slow, 'rebuilder', { ttlMs: 200, batchSize: 4 });
    try {
      await w.events.append('s-1', range(0, 60).map(event), { expectedRevision: 'no_stream' });
      await w.runner.rebuild('counters'); // 15 batches, ~450 ms: more than twice the lease
      expect(await w.reads.get('counters', 's-1')).toMatchObject({ count: 60 });
    } finally {
      await w.close();
    }
  });
});
