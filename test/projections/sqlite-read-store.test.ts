import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteReadStore } from '../../src/projections/sqlite/sqlite-read-store.js';
import { readStoreContract } from './read-store.contract.js';

const tempFile = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-rs-'));
  return { file: path.join(dir, 'read.sqlite'), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
};

readStoreContract('SQLite', async () => {
  const { file, remove } = tempFile();
  const store = SqliteReadStore.open(file);
  return { store, cleanup: async () => (await store.close(), remove()) };
});

describe('SQLite read store', () => {
  it('writes and checkpoints survive closing and reopening', async () => {
    const { file, remove } = tempFile();
    let store = SqliteReadStore.open(file);
    await store.write([{ kind: 'upsert', collection: 'things', doc: { id: '1', v: 1 } }], { name: 'p', position: 7 });
    await store.close();
    store = SqliteReadStore.open(file);
    expect(await store.get('things', '1')).toEqual({ id: '1', v: 1 });
    expect(await store.getCheckpoint('p')).toBe(7);
    await store.close();
    remove();
  });

  it('a declared index serves a filtered, sorted find', async () => {
    const { file, remove } = tempFile();
    const store = SqliteReadStore.open(file);
    await store.ensureCollection('offers', [{ name: 'by_status_created', fields: [{ field: 'status' }, { field: 'createdAt', direction: 'desc' }] }]);
    await store.close();
    const db = new Database(file, { readonly: true });
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT body FROM doc_offers WHERE json_extract(body, '$.status') = ? ORDER BY json_extract(body, '$.status') ASC, json_extract(body, '$.createdAt') DESC, id ASC LIMIT 10`,
      )
      .all('published') as Array<{ detail: string }>;
    db.close();
    remove();
    expect(plan.map((row) => row.detail).join(' ')).toContain('doc_offers__by_status_created');
  });

  it('runs with secure_delete on, so overwritten values do not linger in free pages', async () => {
    const { file, remove } = tempFile();
    const store = SqliteReadStore.open(file);
    const db = (store as unknown as { db: Database.Database }).db;
    expect(db.pragma('secure_delete', { simple: true })).toBe(1);
    await store.close();
    remove();
  });
});
