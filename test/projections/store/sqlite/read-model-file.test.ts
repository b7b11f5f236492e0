import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteLeaseStore } from '../../../../src/projections/store/sqlite/sqlite-lease-store.js';
import { SqliteReadStore } from '../../../../src/projections/store/sqlite/sqlite-read-store.js';

const dirs: string[] = [];
const tempFile = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-rmf-'));
  dirs.push(dir);
  return path.join(dir, 'read-models.sqlite');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const pageSize = (file: string): number => {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('page_size', { simple: true }) as number;
  } finally {
    db.close();
  }
};

const INDEXES = [{ name: 'by_phone', fields: [{ field: 'phone' }] }];

describe('the read-model file', () => {
  it('is created with 16 KiB pages, whichever of its connections creates it', async () => {
    const byStore = tempFile();
    await SqliteReadStore.open(byStore).close();
    expect(pageSize(byStore)).toBe(16_384);
    const byLeases = tempFile();
    await SqliteLeaseStore.open(byLeases).close();
    expect(pageSize(byLeases)).toBe(16_384);
  });

  it('made with 4 KiB pages by an earlier build, keeps them and its models: reads, writes, rebuilt indexes and erasure work as before', async () => {
    const file = tempFile();
    const old = new Database(file);
    old.pragma('page_size = 4096');
    old.pragma('journal_mode = WAL');
    old.close();
    let store = SqliteReadStore.open(file);
    await store.ensureCollection('people', INDEXES, { bulkLoad: true });
    const padding = 'x'.repeat(200);
    await store.write(
      [
        ...Array.from({ length: 200 }, (_, i) => ({
          kind: 'upsert' as const,
          collection: 'people',
          doc: { id: `p${i}`, phone: `phone-${i % 7}`, padding },
        })),
        { kind: 'upsert', collection: 'people', doc: { id: 'gone', phone: 'ERASED-4K-13800000000', padding } },
      ],
      { name: 'people', position: 201 },
    );
    await store.ensureCollection('people', INDEXES);
    await store.close();
    expect(pageSize(file)).toBe(4096);

    store = SqliteReadStore.open(file);
    expect(await store.getCheckpoint('people')).toBe(201);
    expect(await store.count('people', { phone: 'phone-3' })).toBe(29);
    expect(store.explainFind('people', { filter: { phone: 'phone-3' } })[0]).toContain('doc_people__by_phone');
    await store.write([{ kind: 'delete', collection: 'people', id: 'gone', erase: true }]);
    await store.close();
    expect(pageSize(file)).toBe(4096);
    const left =
      fs.readFileSync(file, 'latin1') + (fs.existsSync(`${file}-wal`) ? fs.readFileSync(`${file}-wal`, 'latin1') : '');
    expect(left).not.toContain('ERASED-4K-13800000000');
  });

  it("building an index leaves the connection's page cache at its configured size", async () => {
    const file = tempFile();
    const store = SqliteReadStore.open(file);
    await store.ensureCollection('people', INDEXES, { bulkLoad: true });
    await store.write([{ kind: 'upsert', collection: 'people', doc: { id: 'a', phone: '1' } }]);
    const db = (store as unknown as { db: Database.Database }).db;
    const before = db.pragma('cache_size', { simple: true });
    await store.ensureCollection('people', INDEXES);
    expect(db.pragma('cache_size', { simple: true })).toBe(before);
    expect(store.explainFind('people', { filter: { phone: '1' } })[0]).toContain('doc_people__by_phone');
    await store.close();
  });
});
