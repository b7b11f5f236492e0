import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../src/events/store/event-envelope.js';
import { foldDocuments, type ProjectedDoc } from '../../../src/projections/document-projection.js';
import type { Projection } from '../../../src/projections/projection.js';
import { LeaseLostError } from '../../../src/projections/store/lease.js';
import { SqliteLeaseStore } from '../../../src/projections/store/sqlite/sqlite-lease-store.js';
import { countedEvent, tempDir } from '../fixtures.js';
import { sqliteWorker } from './worker-fixture.js';

interface CounterDoc extends ProjectedDoc {
  /** every event number folded in, to see none is applied twice or skipped */
  seen: number[];
  /** which build wrote the document */
  by: string;
}

/** The leases run by the system's clock here: what these tests show is a thread held past a real expiry. */
const TTL = 200;
/** Twice the time to live: no renewal can run while the thread is held, so the lease has run out when it is let go. */
const STALL = 2 * TTL;
const STALLS = 5;
/** Long enough for a loaded machine; only a hang (a lease lost over and over) waits this long. */
const WAIT = 10_000;

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/**
 * Counts each stream's events as build `by`; a batch holding event number
 * `at` holds the thread for STALL ms, every time it is projected, as dropping
 * a large table, building an index or a big batch does on a loaded machine.
 * `meanwhile` runs right after the stall, before the batch is written: what
 * another process could do while this one was held. At most STALLS times:
 * a worker that retried the batch for as long as it stalls would never end.
 */
function stalling(by: string, at: number, meanwhile?: () => Promise<unknown>): Projection {
  const counters = foldDocuments<CounterDoc, RecordedEvent>({
    select: (event) => event,
    name: 'counters',
    collection: { name: 'counters' },
    documentId: (event) => event.streamId,
    evolve: (doc, event) => ({ id: event.streamId, by, seen: [...(doc?.seen ?? []), (event.data as { n: number }).n] }),
  });
  let stalls = 0;
  return {
    ...counters,
    project: async (events, store) => {
      if (events.some((event) => (event.data as { n?: number }).n === at) && stalls++ < STALLS) {
        const until = Date.now() + STALL;
        while (Date.now() < until);
        await meanwhile?.();
      }
      return counters.project(events, store);
    },
  };
}

describe('a worker whose thread was held past its lease', () => {
  let tmp: ReturnType<typeof tempDir>;
  const opened: Array<ReturnType<typeof sqliteWorker> | SqliteLeaseStore> = [];
  /** what the workers logged, parsed */
  let logged: Array<Record<string, unknown>> = [];
  const logger = () =>
    pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logged.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
          done();
        },
      }),
    );
  const open = (projection: Projection, holder: string) => {
    const worker = sqliteWorker(tmp.dir, projection, holder, { ttlMs: TTL, batchSize: 4, logger: logger() });
    opened.push(worker);
    return worker;
  };
  /** another process's connection to the leases */
  const otherWorker = () => {
    const leases = SqliteLeaseStore.open(path.join(tmp.dir, 'read-models.sqlite'));
    opened.push(leases);
    return leases;
  };

  /** A live model of events 0-11 built by `old`, which has stopped since: what an online rebuild replaces. */
  const liveModel = async () => {
    const live = open(stalling('old', -1), 'old-server');
    await live.events.append('s-1', range(0, 12).map(countedEvent), { expectedRevision: 'no_stream' });
    await live.runner.start();
    await live.runner.waitFor(await live.events.headPosition(), WAIT);
    await live.runner.stop();
  };

  beforeEach(() => {
    logged = [];
    tmp = tempDir('pl-stalled-');
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((o) => o.close()));
    tmp.remove();
  });

  it('keeps its lease when nobody took it: an offline rebuild completes with the token it started with', async () => {
    const w = open(stalling('rebuild', 5), 'rebuilder');
    await w.events.append('s-1', range(0, 12).map(countedEvent), { expectedRevision: 'no_stream' });
    await w.runner.rebuild('counters');
    expect((await w.reads.get<CounterDoc>('counters', 's-1'))?.seen).toEqual(range(0, 12));
    expect(await w.reads.getCheckpoint('counters')).toBe(await w.events.headPosition());
    // never handed over, not even to itself: the first grant's token
    expect((await w.leases.current('counters'))?.token).toBe(1);
    // and the operator is told the time to live is too short for this machine
    const overdue = logged.filter((line) => line['lease'] === 'counters' && line['level'] === 40);
    expect(overdue.length).toBeGreaterThan(0);
    expect(overdue[0]).toMatchObject({ msg: expect.stringContaining('LEASE_TTL_MS') });
    expect(overdue[0]!['overdueMs']).toBeGreaterThanOrEqual(0);
  });

  it('says nothing of its lease when no step held the thread past it', async () => {
    const w = open(stalling('rebuild', -1), 'rebuilder');
    await w.events.append('s-1', range(0, 12).map(countedEvent), { expectedRevision: 'no_stream' });
    await w.runner.rebuild('counters');
    expect(logged.filter((line) => 'overdueMs' in line)).toEqual([]);
  });

  it('keeps its lease while following the log: a batch that holds the thread is written, not retried under a new token', async () => {
    const w = open(stalling('serve', 5), 'server');
    const first = await w.events.append('s-1', range(0, 3).map(countedEvent), { expectedRevision: 'no_stream' });
    await w.runner.start();
    await w.runner.waitFor(first.position, WAIT);
    const token = (await w.leases.current('counters'))?.token;
    const more = await w.events.append('s-1', range(3, 9).map(countedEvent), {
      expectedRevision: first.nextExpectedRevision,
    });
    await w.runner.waitFor(more.position, WAIT);
    expect((await w.reads.get<CounterDoc>('counters', 's-1'))?.seen).toEqual(range(0, 9));
    expect((await w.leases.current('counters'))?.token).toBe(token);
  });

  it('keeps its lease while catching up at start: a batch that holds the thread is written, not retried under a new token', async () => {
    const w = open(stalling('serve', 5), 'server');
    const all = await w.events.append('s-1', range(0, 9).map(countedEvent), { expectedRevision: 'no_stream' });
    await w.runner.start();
    await w.runner.waitFor(all.position, WAIT);
    expect((await w.reads.get<CounterDoc>('counters', 's-1'))?.seen).toEqual(range(0, 9));
    expect((await w.leases.current('counters'))?.token).toBe(1);
  });

  it('keeps its lease through an online rebuild, which switches to the model it built', async () => {
    await liveModel();

    const rebuilder = open(stalling('new', 5), 'rebuild-online');
    await rebuilder.runner.rebuildOnline('counters');
    expect(await rebuilder.reads.get<CounterDoc>('counters', 's-1')).toMatchObject({
      id: 's-1',
      by: 'new',
      seen: range(0, 12),
    });
    expect((await rebuilder.leases.current('counters:rebuild'))?.token).toBe(1);
  });

  // Fencing stays exact: a lease another worker took meanwhile is not taken back, even if that worker let it go again.
  for (const [what, letGo] of [
    ['took', false],
    ['took and let go', true],
  ] as const) {
    /** What the other worker does while this one is held: take `lease` (and let it go again). */
    const takes = (other: SqliteLeaseStore, lease: string, holder: string) => async () => {
      const grant = await other.acquire(lease, holder, 60_000);
      if (letGo) await other.release(grant!);
    };

    it(`an offline rebuild stops writing when another worker ${what} its lease meanwhile`, async () => {
      const other = otherWorker();
      const w = open(stalling('rebuild', 5, takes(other, 'counters', 'worker-b')), 'rebuilder');
      await w.events.append('s-1', range(0, 12).map(countedEvent), { expectedRevision: 'no_stream' });
      await expect(w.runner.rebuild('counters')).rejects.toThrow(LeaseLostError);
      // the first batch (events 0-3, positions 1-4) landed; nothing after the other worker took over
      expect(await w.reads.getCheckpoint('counters')).toBe(4);
      expect((await w.reads.get<CounterDoc>('counters', 's-1'))?.seen).toEqual(range(0, 4));
      expect((await other.current('counters'))?.holder).toBe('worker-b');
    });

    it(`an online rebuild neither writes nor switches when another process ${what} its lease meanwhile`, async () => {
      await liveModel();

      const other = otherWorker();
      const rebuilder = open(stalling('new', 5, takes(other, 'counters:rebuild', 'rebuild-b')), 'rebuild-online');
      await expect(rebuilder.runner.rebuildOnline('counters')).rejects.toThrow(LeaseLostError);
      expect(await rebuilder.reads.get<CounterDoc>('counters', 's-1')).toMatchObject({
        id: 's-1',
        by: 'old',
        seen: range(0, 12),
      });
      // its staged model stopped after the first batch, before the other process took the rebuild over
      expect(await rebuilder.reads.getCheckpoint('counters:staged')).toBe(4);
    });
  }
});
