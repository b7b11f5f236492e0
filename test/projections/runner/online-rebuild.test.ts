import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../src/events/store/event-envelope.js';
import { foldDocuments, type ProjectedDoc } from '../../../src/projections/document-projection.js';
import type { Projection } from '../../../src/projections/projection.js';
import { countedEvent, storedIndexes, tempDir, type StoredIndex } from '../fixtures.js';
import { sqliteWorker } from './worker-fixture.js';

interface CounterDoc extends ProjectedDoc {
  count: number;
  /** the projection version that wrote the document */
  v?: number;
}

/** Version 1 counts; version 2 (the code after a deploy) also stamps itself, so each model shows who built it. */
const counters = (v: 1 | 2): Projection =>
  foldDocuments<CounterDoc, RecordedEvent>({
    select: (event) => event,
    name: 'counters',
    collection: { name: 'counters', indexes: [{ name: 'by_count', fields: [{ field: 'count', direction: 'desc' }] }] },
    documentId: (event) => event.streamId,
    evolve: (doc, event) => ({ id: event.streamId, count: (doc?.count ?? 0) + 1, ...(v === 2 ? { v } : {}) }),
  });

const STREAMS = ['s-1', 's-2', 's-3'];

const open = (dir: string, projection: Projection, holder: string) =>
  sqliteWorker(dir, projection, holder, { ttlMs: 2000, batchSize: 50 });

describe('online rebuild', () => {
  let tmp: ReturnType<typeof tempDir>;
  const indexesOf = (table: string) => storedIndexes(path.join(tmp.dir, 'read-models.sqlite'), table);
  const opened: Array<ReturnType<typeof open>> = [];
  const openProcess = (projection: Projection, holder: string) => {
    const p = open(tmp.dir, projection, holder);
    opened.push(p);
    return p;
  };

  beforeEach(() => {
    tmp = tempDir('pl-online-');
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((p) => p.close()));
    tmp.remove();
  });

  it('builds the new model beside the live one, switches at once, and queries are answered throughout', async () => {
    // The live model, built by version 1.
    const old = openProcess(counters(1), 'old-server');
    for (const stream of STREAMS)
      await old.events.append(
        stream,
        Array.from({ length: 600 }, (_, i) => countedEvent(i)),
        { expectedRevision: 'any' },
      );
    await old.runner.start();
    await old.runner.waitFor(await old.events.headPosition(), 10_000);
    await old.close();
    opened.splice(0);

    // Version 2 serves now; the model it serves is still the one version 1 built.
    const server = openProcess(counters(2), 'serve');
    await server.runner.start();
    const tokenBefore = (await server.leases.current('counters'))!.token;
    expect((await server.reads.get<CounterDoc>('counters', 's-1'))?.v).toBeUndefined();

    // Queries and appends keep going while another process rebuilds online.
    const misses: string[] = [];
    let reading = true;
    const reader = (async () => {
      let reads = 0;
      while (reading || reads === 0) {
        for (const stream of STREAMS) if (!(await server.reads.get('counters', stream))) misses.push(stream);
        const page = await server.reads.find('counters', { sort: [{ field: 'count', direction: 'desc' }] });
        if (page.items.length !== STREAMS.length) misses.push(`find saw ${page.items.length}`);
        reads++;
        await new Promise((resolve) => setImmediate(resolve));
      }
      return reads;
    })();
    const rebuilder = openProcess(counters(2), 'rebuild');
    // The staged model's indexes just before the switch (where each one's pages start tells a rebuilt one apart).
    let staged: StoredIndex[] = [];
    const promote = rebuilder.reads.promote.bind(rebuilder.reads);
    rebuilder.reads.promote = (...args) => {
      staged = indexesOf('doc_counters_staged');
      return promote(...args);
    };
    const progress: number[] = [];
    const rebuilding = rebuilder.runner.rebuildOnline('counters', (done) => progress.push(done));
    await server.events.append('s-2', [countedEvent(1000), countedEvent(1001)], { expectedRevision: 'any' });
    await rebuilding;
    const last = await server.events.append('s-3', [countedEvent(2000)], { expectedRevision: 'any' });
    await server.runner.waitFor(last.position, 10_000);
    reading = false;
    expect(await reader).toBeGreaterThan(1);

    expect(misses).toEqual([]);
    expect(progress.length).toBeGreaterThan(1);
    const docs = await server.reads.getMany<CounterDoc>('counters', STREAMS);
    expect(docs.map((d) => [d?.id, d?.count, d?.v])).toEqual([
      ['s-1', 600, 2],
      ['s-2', 602, 2],
      ['s-3', 601, 2],
    ]);
    expect(await server.reads.getCheckpoint('counters')).toBe(last.position);
    expect(await server.reads.getCheckpoint('counters:staged')).toBeNull();
    expect(await server.reads.count('counters_staged')).toBe(0);
    // The server was made to take its lease back with a new token, and runs the new model.
    expect((await server.leases.current('counters'))!.token).toBeGreaterThan(tokenBefore);
    await expect.poll(async () => (await server.runner.status())[0]!.state).toBe('live');
    // The declared index serves the sorted find, and it is the one built before the switch, not built again after it.
    expect(staged).toHaveLength(1);
    expect(indexesOf('doc_counters')).toEqual(staged);
    const plan = server.reads.explainFind('counters', { sort: [{ field: 'count', direction: 'desc' }] }).join();
    expect(plan).toMatch(new RegExp(`USING (COVERING )?INDEX ${staged[0]!.name}\\b`));
    expect(plan).not.toContain('TEMP B-TREE');
  });
});

describe('after an online rebuild', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('pl-online-release-');
  });
  afterEach(() => tmp.remove());

  it('a server stopped at once lets its lease go: an offline rebuild runs right after, not a time to live later', async () => {
    // A real time to live: the server's next renewal (a third of it) is seconds away when it stops.
    const timing = { ttlMs: 15_000, batchSize: 50 };
    const server = sqliteWorker(tmp.dir, counters(1), 'serve', timing);
    await server.events.append('s-1', [countedEvent(1), countedEvent(2)], { expectedRevision: 'any' });
    await server.runner.start();
    await server.runner.waitFor(await server.events.headPosition(), 10_000);

    const online = sqliteWorker(tmp.dir, counters(2), 'rebuild-online', timing);
    await online.runner.rebuildOnline('counters');
    await online.close();
    await server.close();

    const offline = sqliteWorker(tmp.dir, counters(2), 'rebuild', timing);
    try {
      await offline.runner.rebuild('counters');
      expect((await offline.reads.get<CounterDoc>('counters', 's-1'))?.count).toBe(2);
    } finally {
      await offline.close();
    }
  });
});
