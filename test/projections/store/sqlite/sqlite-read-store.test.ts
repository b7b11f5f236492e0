import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { FindQuery } from '../../../../src/projections/store/read-store.js';
import { systemClock } from '../../../../src/clock.js';
import { LeaseLostError } from '../../../../src/projections/store/lease.js';
import { SqliteLeaseStore } from '../../../../src/projections/store/sqlite/sqlite-lease-store.js';
import { SqliteReadStore } from '../../../../src/projections/store/sqlite/sqlite-read-store.js';
import { CommitCounter } from '../../../../src/sqlite/commit-counter.js';
import { readStoreContract } from '../read-store.contract.js';

const dirs: string[] = [];
const tempFile = (name = 'read.sqlite') => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-rs-'));
  dirs.push(dir);
  return path.join(dir, name);
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

readStoreContract('SQLite', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-rs-'));
  const store = SqliteReadStore.open(path.join(dir, 'read.sqlite'));
  return { store, cleanup: async () => (await store.close(), fs.rmSync(dir, { recursive: true, force: true })) };
});

const RECORDS = [
  {
    name: 'by_publisher_newest',
    fields: [{ field: 'publisherId' }, { field: 'requestedAt', direction: 'desc' as const }],
  },
];

describe('SQLite read store', () => {
  it('reads what another connection to the same file wrote, even for documents it had read before', async () => {
    const file = tempFile();
    const reader = SqliteReadStore.open(file);
    const writer = SqliteReadStore.open(file);
    await writer.write([{ kind: 'upsert', collection: 'records', doc: { id: '1', publisherId: 'p', n: 1 } }]);
    expect(await reader.get('records', '1')).toMatchObject({ n: 1 });
    expect((await reader.find('records', { filter: { publisherId: 'p' } })).items).toMatchObject([{ n: 1 }]);
    await writer.write([{ kind: 'upsert', collection: 'records', doc: { id: '1', publisherId: 'p', n: 2 } }]);
    expect(await reader.get('records', '1')).toMatchObject({ n: 2 });
    expect((await reader.find('records', { filter: { publisherId: 'p' } })).items).toMatchObject([{ n: 2 }]);
    await writer.write([{ kind: 'delete', collection: 'records', id: '1' }]);
    expect(await reader.getMany('records', ['1'])).toEqual([null]);
    await Promise.all([reader.close(), writer.close()]);
  });

  it('writes asked in the same turn commit together, yet one refused (lease lost) or failing leaves the others written', async () => {
    const file = tempFile();
    const store = SqliteReadStore.open(file);
    const leases = SqliteLeaseStore.open(file, systemClock);
    const lease = await leases.acquire('p', 'worker-a', 60_000);
    const results = await Promise.allSettled([
      store.write([{ kind: 'upsert', collection: 'kept', doc: { id: '1' } }], { name: 'one', position: 1 }),
      store.write(
        [{ kind: 'upsert', collection: 'fenced', doc: { id: '2' } }],
        { name: 'p', position: 1 },
        { lease: 'p', token: lease!.token + 1 },
      ),
      store.write([{ kind: 'upsert', collection: 'broken', doc: { id: 3 } as never }], { name: 'three', position: 1 }),
      store.write([{ kind: 'upsert', collection: 'kept', doc: { id: '4' } }], { name: 'four', position: 1 }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(LeaseLostError);
    expect(await store.getMany('kept', ['1', '4'])).toEqual([{ id: '1' }, { id: '4' }]);
    expect(await store.get('fenced', '2')).toBeNull();
    expect(await store.listCheckpoints()).toEqual([
      { name: 'four', position: 1 },
      { name: 'one', position: 1 },
    ]);
    // the refused write's collection was rolled back with it, and is created again on next use
    await store.write([{ kind: 'upsert', collection: 'fenced', doc: { id: '5' } }]);
    expect(await store.get('fenced', '5')).toEqual({ id: '5' });
    await Promise.all([store.close(), leases.close()]);
  });

  it('when another connection writes, a reader forgets just the documents it changed (and whole tables it rebuilt)', async () => {
    const file = tempFile();
    const reader = SqliteReadStore.open(file);
    const writer = SqliteReadStore.open(file);
    await writer.write([
      { kind: 'upsert', collection: 'records', doc: { id: '1', n: 1 } },
      { kind: 'upsert', collection: 'records', doc: { id: '2', n: 1 } },
    ]);
    const [one, two] = await reader.getMany('records', ['1', '2']);
    await writer.write([{ kind: 'upsert', collection: 'records', doc: { id: '1', n: 2 } }]);
    const [oneAgain, twoAgain] = await reader.getMany('records', ['1', '2']);
    expect(oneAgain).toEqual({ id: '1', n: 2 });
    expect(twoAgain).toBe(two); // untouched: still the parsed document it had
    expect(oneAgain).not.toBe(one);
    await writer.reset('records', ['records']);
    expect(await reader.getMany('records', ['1', '2'])).toEqual([null, null]);
    await Promise.all([reader.close(), writer.close()]);
  });

  it("threads sharing a commit count see each other's commits at once, even within one turn of the event loop", async () => {
    const file = tempFile();
    const commits = new CommitCounter();
    const reader = SqliteReadStore.open(file, { commits });
    const writer = SqliteReadStore.open(file, { commits });
    await writer.write([{ kind: 'upsert', collection: 'records', doc: { id: '1', n: 1 } }]);
    expect(await reader.get('records', '1')).toEqual({ id: '1', n: 1 });
    await writer.reset('records', ['records']); // commits without leaving the turn
    expect(await reader.get('records', '1')).toBeNull();
    await Promise.all([reader.close(), writer.close()]);
  });

  it('a repeated find is answered from memory until any document of its table changes, here or on another connection', async () => {
    const file = tempFile();
    const store = SqliteReadStore.open(file);
    const other = SqliteReadStore.open(file);
    await store.ensureCollection('records', RECORDS);
    const query: FindQuery = {
      filter: { publisherId: 'p' },
      sort: [{ field: 'requestedAt', direction: 'desc' }],
      first: 2,
    };
    await store.write([
      { kind: 'upsert', collection: 'records', doc: { id: '1', publisherId: 'p', requestedAt: '2026-01-01' } },
    ]);
    const page = await store.find('records', query);
    expect(await store.find('records', query)).toBe(page);
    expect(() => (page.items as unknown[]).push({})).toThrow(TypeError);
    await store.write([
      { kind: 'upsert', collection: 'records', doc: { id: '2', publisherId: 'p', requestedAt: '2026-02-01' } },
    ]);
    expect((await store.find('records', query)).items.map((d) => d.id)).toEqual(['2', '1']);
    await other.write([{ kind: 'delete', collection: 'records', id: '2' }]);
    expect((await store.find('records', query)).items.map((d) => d.id)).toEqual(['1']);
    await Promise.all([store.close(), other.close()]);
  });

  it('documents it returns cannot be changed by one reader for the next', async () => {
    const store = SqliteReadStore.open(tempFile());
    await store.write([{ kind: 'upsert', collection: 'records', doc: { id: '1', tags: ['a'], nested: { x: 1 } } }]);
    const first = await store.get<{ id: string; tags: string[]; nested: { x: number } }>('records', '1');
    expect(() => first!.tags.push('b')).toThrow(TypeError);
    expect(() => (first!.nested.x = 2)).toThrow(TypeError);
    expect(await store.get('records', '1')).toEqual({ id: '1', tags: ['a'], nested: { x: 1 } });
    await store.close();
  });

  it('creates the folder of its file', async () => {
    const file = path.join(path.dirname(tempFile()), 'deeper', 'still', 'read.sqlite');
    const store = SqliteReadStore.open(file);
    await store.close();
    expect(fs.existsSync(file)).toBe(true);
  });

  it('writes, checkpoints and indexes survive closing and reopening', async () => {
    const file = tempFile();
    let store = SqliteReadStore.open(file);
    await store.ensureCollection('records', RECORDS);
    await store.write(
      [{ kind: 'upsert', collection: 'records', doc: { id: '1', publisherId: 'p', requestedAt: '2026-01-01' } }],
      { name: 'p', position: 7 },
    );
    await store.close();
    await store.close(); // closing twice is harmless
    store = SqliteReadStore.open(file);
    expect(await store.get('records', '1')).toEqual({ id: '1', publisherId: 'p', requestedAt: '2026-01-01' });
    expect(await store.getCheckpoint('p')).toBe(7);
    expect(
      store.explainFind('records', {
        filter: { publisherId: 'p' },
        sort: [{ field: 'requestedAt', direction: 'desc' }],
      })[0],
    ).toContain('doc_records__by_publisher_newest');
    await store.close();
  });

  it('keeps the file in WAL mode', async () => {
    const file = tempFile();
    await SqliteReadStore.open(file).close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('a declared index serves a filtered, sorted find and every page after it, without sorting', async () => {
    const store = SqliteReadStore.open(tempFile());
    await store.ensureCollection('records', [...RECORDS, { name: 'by_requested', fields: [{ field: 'requestedAt' }] }]);
    await store.write(
      Array.from({ length: 300 }, (_, i) => ({
        kind: 'upsert' as const,
        collection: 'records',
        doc: {
          id: `r${i}`,
          publisherId: `p${i % 3}`,
          requestedAt: i % 10 === 0 ? null : `2026-01-${String((i % 28) + 1).padStart(2, '0')}`,
        },
      })),
    );
    const shapes: [FindQuery, string][] = [
      [{ filter: { publisherId: 'p1' }, sort: [{ field: 'requestedAt', direction: 'desc' }] }, 'by_publisher_newest'],
      [
        {
          filter: { publisherId: 'p2' },
          sort: [{ field: 'publisherId' }, { field: 'requestedAt', direction: 'desc' }],
        },
        'by_publisher_newest',
      ],
      [{ sort: [{ field: 'requestedAt' }] }, 'by_requested'],
    ];
    for (const [shape, index] of shapes) {
      const query = { ...shape, first: 11 };
      // the first page, then pages inside the dated records and among the undated ones (nulls first ascending, last descending)
      const plans: string[] = [...store.explainFind('records', query)];
      let page = await store.find('records', query);
      while (page.hasNextPage) {
        plans.push(...store.explainFind('records', { ...query, after: page.endCursor! }));
        page = await store.find('records', { ...query, after: page.endCursor! });
      }
      expect(plans.length, JSON.stringify(shape)).toBeGreaterThan(10);
      for (const plan of plans) {
        // covering: a find reads ids and sort values from the index alone, documents come from the cache
        expect(plan, JSON.stringify(shape)).toContain(`USING COVERING INDEX doc_records__${index}`);
        expect(plan, JSON.stringify(shape)).not.toContain('TEMP B-TREE');
      }
    }
    await store.close();
  });

  it('an index whose declaration changed is rebuilt; an unchanged one is left alone', async () => {
    const file = tempFile();
    const store = SqliteReadStore.open(file);
    await store.ensureCollection('records', RECORDS);
    await store.ensureCollection('records', RECORDS);
    await store.ensureCollection('records', [
      { name: 'by_publisher_newest', fields: [{ field: 'publisherId' }, { field: 'requestedAt' }] },
    ]);
    await store.close();
    const db = new Database(file, { readonly: true });
    const sql = db
      .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'doc_records' AND sql IS NOT NULL")
      .pluck()
      .all();
    db.close();
    expect(sql).toEqual([
      `CREATE INDEX doc_records__by_publisher_newest ON doc_records ("f.publisherId" ASC, "f.requestedAt" ASC, id ASC)`,
    ]);
  });

  it('erased personal data does not linger in the file (secure_delete)', async () => {
    const secrets = [
      'ERASED-BY-DELETE-13800000000',
      'ERASED-BY-UPSERT-zhang@example.cn',
      'ERASED-BY-PATCH-Zhang-San',
      'ERASED-BY-RESET-110101199003074477',
    ];
    const padding = 'x'.repeat(200);
    const file = tempFile();
    const store = SqliteReadStore.open(file);
    await store.ensureCollection('people', [{ name: 'by_phone', fields: [{ field: 'phone' }] }]);
    await store.write([
      ...Array.from({ length: 50 }, (_, i) => ({
        kind: 'upsert' as const,
        collection: 'people',
        doc: { id: `k${i}`, padding },
      })),
      { kind: 'upsert', collection: 'people', doc: { id: 'd', phone: secrets[0], padding } },
      { kind: 'upsert', collection: 'people', doc: { id: 'u', email: secrets[1], padding } },
      { kind: 'upsert', collection: 'people', doc: { id: 'p', name: secrets[2], padding } },
      { kind: 'upsert', collection: 'dropped', doc: { id: 'r', card: secrets[3], padding } },
    ]);
    await store.close();
    const written = fs.readFileSync(file, 'latin1');
    for (const secret of secrets) expect(written).toContain(secret);

    const reopened = SqliteReadStore.open(file);
    await reopened.write([
      { kind: 'delete', collection: 'people', id: 'd' },
      { kind: 'upsert', collection: 'people', doc: { id: 'u', email: null, padding } },
      { kind: 'patch', collection: 'people', id: 'p', set: { name: null } },
    ]);
    await reopened.reset('dropping', ['dropped']);
    await reopened.close();
    const left =
      fs.readFileSync(file, 'latin1') + (fs.existsSync(`${file}-wal`) ? fs.readFileSync(`${file}-wal`, 'latin1') : '');
    for (const secret of secrets) expect(left, secret).not.toContain(secret);
  });
});
