import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteEventStore } from '../../../src/events/store/sqlite/sqlite-event-store.js';
import { TimeoutError } from '../../../src/errors.js';
import type { RecordedEvent } from '../../../src/events/store/event-envelope.js';
import { foldDocuments } from '../../../src/projections/document-projection.js';
import { ProjectionRunner } from '../../../src/projections/runner/projection-runner.js';
import { SqliteReadStore } from '../../../src/projections/store/sqlite/sqlite-read-store.js';
import { UpcasterRegistry } from '../../../src/events/store/upcasters.js';
import { countedEvent, counting, tempDir, type CounterDoc } from '../fixtures.js';

const counters = counting('counters');

const event = countedEvent;

/**
 * A test-only registry (version 1 of Counted carried `n`, version 2 calls it
 * `amount`) and a projection that notes the version and data of each event
 * it is given.
 */
function shapesSeen() {
  const upcasters = new UpcasterRegistry([
    { type: 'Counted', fromVersion: 1, upcast: ({ n, ...rest }) => ({ ...rest, amount: n }) },
  ]);
  const seen: Array<{ version: number; data: unknown }> = [];
  const spy = foldDocuments<CounterDoc, RecordedEvent>({
    select: (event) => event,
    name: 'shapes',
    collection: { name: 'shapes' },
    documentId: (e) => e.streamId,
    evolve: (doc, e) => {
      seen.push({ version: e.schemaVersion, data: e.data });
      return { id: e.streamId, count: (doc?.count ?? 0) + 1 };
    },
  });
  return { upcasters, seen, spy };
}

describe('projection runner', () => {
  let tmp: ReturnType<typeof tempDir>;
  let events: SqliteEventStore;
  let reads: SqliteReadStore;
  let runner: ProjectionRunner;

  beforeEach(() => {
    tmp = tempDir('pl-runner-');
    events = SqliteEventStore.open(path.join(tmp.dir, 'events.sqlite'));
    reads = SqliteReadStore.open(path.join(tmp.dir, 'read.sqlite'));
    runner = new ProjectionRunner(events, reads, [counters], { batchSize: 7 });
  });
  afterEach(async () => {
    await runner.stop();
    await Promise.all([events.close(), reads.close()]);
    tmp.remove();
  });

  it('catches up in batches from an empty checkpoint, then follows live appends', async () => {
    const first = await events.append(
      's-1',
      Array.from({ length: 20 }, (_, i) => event(i)),
      { expectedRevision: 'no_stream' },
    );
    await runner.start();
    await runner.waitFor(first.position, 5_000);
    expect(await reads.get('counters', 's-1')).toMatchObject({ count: 20 });
    const live = await events.append('s-1', [event(20)], { expectedRevision: first.nextExpectedRevision });
    await runner.waitFor(live.position, 5_000);
    expect(await reads.get('counters', 's-1')).toMatchObject({ count: 21 });
    expect(await reads.getCheckpoint('counters')).toBe(live.position);
  });

  it('projects events written in an older schema version in their current shape', async () => {
    const { upcasters, seen, spy } = shapesSeen();
    const upcasting = new ProjectionRunner(events, reads, [spy], { upcasters });
    const { position } = await events.append('s-v1', [event(7)], { expectedRevision: 'no_stream' });
    await upcasting.start();
    try {
      await upcasting.waitFor(position, 5_000);
      expect(seen).toEqual([{ version: 2, data: { amount: 7 } }]);
    } finally {
      await upcasting.stop();
    }
  });

  it('an online rebuild projects older schema versions through the runner upcasters too, like the offline one', async () => {
    const { upcasters, seen, spy } = shapesSeen();
    const upcasting = new ProjectionRunner(events, reads, [spy], { upcasters });
    await events.append('s-v1', [event(7)], { expectedRevision: 'no_stream' });
    await upcasting.rebuild('shapes');
    await upcasting.rebuildOnline('shapes');
    expect(seen).toEqual([
      { version: 2, data: { amount: 7 } },
      { version: 2, data: { amount: 7 } },
    ]);
  });

  it('projections that start behind read and upcast each event of the log once for all of them, each from its own checkpoint', async () => {
    const first = await events.append(
      's-1',
      Array.from({ length: 10 }, (_, i) => event(i)),
      { expectedRevision: 'no_stream' },
    );
    // `ahead` has folded the first ten already: it starts from there, `counters` from the beginning.
    const ahead = counting('ahead');
    await reads.write([], { name: 'ahead', position: first.position });
    const all = await events.append(
      's-1',
      Array.from({ length: 20 }, (_, i) => event(10 + i)),
      { expectedRevision: first.nextExpectedRevision },
    );
    let upcast = 0;
    const upcasters = new (class extends UpcasterRegistry {
      override upcastAll(batch: readonly RecordedEvent[]): RecordedEvent[] {
        upcast += batch.length;
        return super.upcastAll(batch);
      }
    })([]);
    const together = new ProjectionRunner(events, reads, [counters, ahead], { batchSize: 7, upcasters });
    await together.start();
    try {
      await together.waitFor(all.position, 5_000);
      expect(await reads.get('counters', 's-1')).toMatchObject({ count: 30 });
      expect(await reads.get('ahead', 's-1')).toMatchObject({ count: 20 });
      expect(upcast).toBe(30);
    } finally {
      await together.stop();
    }
  });

  it('resumes from its checkpoint after a restart without applying anything twice', async () => {
    const first = await events.append('s-1', [event(1), event(2)], { expectedRevision: 'any' });
    await runner.start();
    await runner.waitFor(first.position, 5_000);
    await runner.stop();
    const more = await events.append('s-1', [event(3)], { expectedRevision: 'any' });
    runner = new ProjectionRunner(events, reads, [counters]);
    await runner.start();
    await runner.waitFor(more.position, 5_000);
    expect(await reads.get('counters', 's-1')).toMatchObject({ count: 3 });
  });

  it('waiting for a position the log never reaches times out with a clear error', async () => {
    await runner.start();
    await expect(runner.waitFor(99, 50)).rejects.toThrow(TimeoutError);
  });

  it('a rebuild drops the read model and replays the whole log into it', async () => {
    const appended = await events.append('s-2', [event(1), event(2), event(3)], { expectedRevision: 'any' });
    await runner.start();
    await runner.waitFor(appended.position, 5_000);
    await reads.write([{ kind: 'upsert', collection: 'counters', doc: { id: 'junk', count: 99, _position: 0 } }]);
    const progress: number[] = [];
    await runner.rebuild('counters', (done) => progress.push(done));
    expect(await reads.get('counters', 'junk')).toBeNull();
    expect(await reads.get('counters', 's-2')).toMatchObject({ count: 3 });
    expect(progress.at(-1)).toBe(appended.position);
    // and it is live again afterwards
    const after = await events.append('s-2', [event(4)], { expectedRevision: 'any' });
    await runner.waitFor(after.position, 5_000);
    expect(await reads.get('counters', 's-2')).toMatchObject({ count: 4 });
  });

  it('logs its position and the head while it catches up, and when it has caught up', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const appended = await events.append(
      's-1',
      Array.from({ length: 60 }, (_, i) => event(i)),
      { expectedRevision: 'no_stream' },
    );
    // Every batch (7 events) is "a few seconds" here.
    const logged = new ProjectionRunner(events, reads, [counters], { batchSize: 7, logger, progressEveryMs: 0 });
    await logged.start();
    await vi.waitFor(() => expect(logged.live).toBe(true));
    await logged.stop();
    const progress = lines.filter((l) => l['msg'] === 'projection catching up');
    expect(progress.length).toBeGreaterThanOrEqual(5);
    expect(progress[0]).toMatchObject({
      projection: 'counters',
      head: appended.position,
      position: 7,
      lag: appended.position - 7,
    });
    expect(progress.map((l) => l['position'])).toEqual(
      [...progress.map((l) => l['position'] as number)].sort((a, b) => a - b),
    );
    expect(lines.find((l) => l['msg'] === 'projection caught up')).toMatchObject({
      projection: 'counters',
      position: appended.position,
    });
  });

  it('logs nothing about progress when it catches up within a few seconds', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const appended = await events.append(
      's-1',
      Array.from({ length: 60 }, (_, i) => event(i)),
      { expectedRevision: 'no_stream' },
    );
    const quiet = new ProjectionRunner(events, reads, [counters], { batchSize: 7, logger });
    await quiet.start();
    await quiet.waitFor(appended.position, 5_000);
    await quiet.stop();
    expect(lines.filter((l) => l.includes('catching up') || l.includes('caught up'))).toEqual([]);
  });

  it('reports each projection checkpoint and lag', async () => {
    await events.append('s-3', [event(1), event(2)], { expectedRevision: 'any' });
    expect(await runner.status()).toEqual([{ name: 'counters', checkpoint: 0, head: 2, lag: 2, state: 'stopped' }]);
    await runner.start();
    await runner.waitFor(2, 5_000);
    expect(await runner.status()).toMatchObject([{ name: 'counters', checkpoint: 2, lag: 0 }]);
  });
});
