import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../../src/events/store/sqlite/sqlite-event-store.js';
import { TimeoutError } from '../../../src/errors.js';
import type { Projection } from '../../../src/projections/projection.js';
import { CaughtUpReadStore } from '../../../src/projections/runner/caught-up-read-store.js';
import { ProjectionRunner } from '../../../src/projections/runner/projection-runner.js';
import { SqliteReadStore } from '../../../src/projections/store/sqlite/sqlite-read-store.js';
import { countedEvent, counting, tempDir, type CounterDoc } from '../fixtures.js';
import { sqliteWorker } from './worker-fixture.js';

/**
 * A start where one projection (`slow`, caught up after the others) takes
 * as long as the test says: each of its batches waits for `release`.
 */
describe('projections caught up after the service is ready', () => {
  let tmp: ReturnType<typeof tempDir>;
  let events: SqliteEventStore;
  let reads: SqliteReadStore;
  let runner: ProjectionRunner;
  let release: () => void;
  let released: Promise<void>;
  /** the projection with each of its batches held until `release` */
  const held = (projection: Projection): Projection => ({
    ...projection,
    project: async (batch, store) => {
      await released;
      return projection.project(batch, store);
    },
  });
  let gated: CaughtUpReadStore;
  let logged: Array<Record<string, unknown>>;
  const gate = (timeoutMs: number) =>
    new CaughtUpReadStore(reads, {
      host: runner,
      head: () => events.headPosition(),
      owners: new Map([
        ['fast', 'fast'],
        ['slow', 'slow'],
      ]),
      timeoutMs,
    });

  beforeEach(async () => {
    tmp = tempDir('pl-after-ready-');
    events = SqliteEventStore.open(path.join(tmp.dir, 'events.sqlite'));
    reads = SqliteReadStore.open(path.join(tmp.dir, 'read.sqlite'));
    released = new Promise<void>((resolve) => (release = resolve));
    logged = [];
    const lines = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    });
    runner = new ProjectionRunner(events, reads, [counting('fast'), held(counting('slow'))], {
      batchSize: 7,
      logger: pino({ level: 'info' }, lines),
      afterReady: new Set(['slow']),
    });
    gated = gate(10_000);
    await events.append(
      's-1',
      Array.from({ length: 20 }, (_, i) => countedEvent(i)),
      { expectedRevision: 'no_stream' },
    );
  });
  afterEach(async () => {
    release();
    await runner.stop();
    await Promise.all([events.close(), reads.close()]);
    tmp.remove();
  });

  const untilReady = async () => {
    while (!runner.ready) await new Promise((resolve) => setTimeout(resolve, 5));
  };

  it('is ready once the others have caught up, and names the one still behind', async () => {
    await runner.start();
    await untilReady();
    expect(runner.live).toBe(false);
    const status = await runner.status();
    expect(status.find((p) => p.name === 'fast')).toMatchObject({ state: 'live', lag: 0 });
    expect(status.find((p) => p.name === 'slow')).toMatchObject({ state: 'catching-up', lag: 20 });
    expect(await gated.get('fast', 's-1')).toMatchObject({ count: 20 });
    // the log says so too
    expect(logged).toContainEqual(expect.objectContaining({ catchingUp: ['slow'] }));
  });

  it('holds a read of the model behind until it holds what the log held when the read came in', async () => {
    await runner.start();
    await untilReady();
    let answered = false;
    const reading = gated.get<CounterDoc>('slow', 's-1').finally(() => (answered = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answered).toBe(false);
    expect(await reads.get('slow', 's-1')).toBeNull(); // what it would have answered
    release();
    expect(await reading).toMatchObject({ count: 20 });
  });

  it('fails such a read with TIMEOUT after its bound, naming the projection', async () => {
    await runner.start();
    await untilReady();
    const failed = await gate(50)
      .find('slow')
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(TimeoutError);
    expect((failed as Error).message).toContain('the slow read model is still catching up');
  });

  it('answers read-your-writes over the projections caught up, not the one behind', async () => {
    await runner.start();
    await untilReady();
    const { position } = await events.append('s-2', [countedEvent(0)], { expectedRevision: 'no_stream' });
    await runner.waitForServed(position, 5_000);
    expect(await gated.get('fast', 's-2')).toMatchObject({ count: 1 });
    await expect(runner.waitFor(position, 50)).rejects.toBeInstanceOf(TimeoutError);
  });

  it('holds nothing back before it starts (a process that does not run the projections reads what they hold)', async () => {
    expect(await gated.get('slow', 's-1')).toBeNull();
  });

  it('counts a projection another worker runs once that worker holds what the log held when this one started', async () => {
    // a worker holding the lease of `fast` that has not caught up yet
    const holder = sqliteWorker(tmp.dir, held(counting('fast')), 'holder', { ttlMs: 60_000, batchSize: 7 });
    const follower = sqliteWorker(tmp.dir, counting('fast'), 'follower', { ttlMs: 60_000, batchSize: 7 });
    try {
      await holder.runner.start();
      await follower.runner.start();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await follower.runner.status())[0]).toMatchObject({ state: 'standby', lag: 20 });
      expect(follower.runner.ready).toBe(false);
      expect(follower.runner.caughtUp('fast')).toBe(false);
      release();
      await holder.runner.waitFor(20, 5_000);
      while (!follower.runner.ready) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(follower.runner.caughtUp('fast')).toBe(true);
    } finally {
      await holder.close();
      await follower.close();
    }
  });
});
