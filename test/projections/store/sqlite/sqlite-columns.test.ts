import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Doc, IndexSpec } from '../../../../src/projections/store/read-store.js';
import { SqliteReadStore } from '../../../../src/projections/store/sqlite/sqlite-read-store.js';

const dirs: string[] = [];
const tempFile = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-cols-'));
  dirs.push(dir);
  return path.join(dir, 'read.sqlite');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const INDEXES: IndexSpec[] = [
  { name: 'by_owner', fields: [{ field: 'owner.id' }, { field: 'at', direction: 'desc' }] },
  { name: 'by_rank', fields: [{ field: 'rank' }] },
];

const docs: Doc[] = [
  { id: 'a', owner: { id: 'o1' }, at: '2026-01-02', rank: 3 },
  { id: 'b', owner: { id: 'o1' }, at: '2026-01-03', rank: 2.5 },
  { id: 'c', owner: { id: 'o2' }, at: '2026-01-01', rank: '3' },
  { id: 'd', owner: { id: 'o1' }, rank: true },
  { id: 'e', at: '2026-01-04', rank: null },
];

const ids = async (store: SqliteReadStore, filter: Record<string, unknown>) =>
  (
    await store.find('things', {
      filter: filter as never,
      sort: [{ field: 'owner.id' }, { field: 'at', direction: 'desc' }],
    })
  ).items.map((doc) => doc.id);

describe('SQLite read store: indexed fields in columns', () => {
  it('a collection ensured for a bulk load gets its indexes only when ensured again, and answers the same before and after', async () => {
    const store = SqliteReadStore.open(tempFile());
    await store.ensureCollection('things', INDEXES, { bulkLoad: true });
    await store.write(docs.map((doc) => ({ kind: 'upsert' as const, collection: 'things', doc })));
    const plan = () =>
      store.explainFind('things', { filter: { 'owner.id': 'o1' }, sort: [{ field: 'at', direction: 'desc' }] });
    expect(plan().join(' | ')).not.toMatch(/INDEX doc_things__/);
    const during = await ids(store, { 'owner.id': 'o1' });
    await store.ensureCollection('things', INDEXES);
    expect(plan().join(' | ')).toMatch(/USING (COVERING )?INDEX doc_things__by_owner/);
    expect(await ids(store, { 'owner.id': 'o1' })).toEqual(during);
    expect(during).toEqual(['b', 'a', 'd']);
    await store.close();
  });

  it('filters on indexed fields mean what they mean on the document: types, missing fields and patches', async () => {
    const store = SqliteReadStore.open(tempFile());
    await store.ensureCollection('things', INDEXES);
    await store.write(docs.map((doc) => ({ kind: 'upsert' as const, collection: 'things', doc })));
    expect(await ids(store, { rank: 3 })).toEqual(['a']);
    expect(await ids(store, { rank: '3' })).toEqual(['c']);
    expect(await ids(store, { rank: true })).toEqual(['d']);
    expect(await ids(store, { rank: { gt: 2 } })).toEqual(['b', 'a']);
    expect(await ids(store, { rank: null })).toEqual(['e']);
    expect(await ids(store, { 'owner.id': null })).toEqual(['e']);
    await store.write([
      { kind: 'patch', collection: 'things', id: 'a', set: { 'owner.id': 'o2', rank: undefined } },
      { kind: 'patch', collection: 'things', id: 'e', set: { owner: { id: 'o3' } } },
    ]);
    expect(await ids(store, { 'owner.id': 'o1' })).toEqual(['b', 'd']);
    expect(await ids(store, { 'owner.id': 'o2' })).toEqual(['a', 'c']);
    expect(await ids(store, { 'owner.id': 'o3' })).toEqual(['e']);
    expect(await ids(store, { rank: null })).toEqual(['a', 'e']);
    expect(await store.get('things', 'a')).toEqual({ id: 'a', owner: { id: 'o2' }, at: '2026-01-02' });
    await store.close();
  });

  it('a connection that wrote before another one added the columns fills them in its next writes', async () => {
    const file = tempFile();
    const writer = SqliteReadStore.open(file);
    const reader = SqliteReadStore.open(file);
    await writer.write([{ kind: 'upsert', collection: 'things', doc: docs[0]! }]);
    await reader.ensureCollection('things', INDEXES);
    await writer.write([
      { kind: 'upsert', collection: 'things', doc: docs[1]! },
      { kind: 'patch', collection: 'things', id: 'a', set: { rank: 7 } },
    ]);
    expect(await ids(reader, { 'owner.id': 'o1' })).toEqual(['b', 'a']);
    expect(await ids(reader, { rank: 7 })).toEqual(['a']);
    await Promise.all([writer.close(), reader.close()]);
  });

  it('a table written before its fields had columns gets them, filled from its documents', async () => {
    const file = tempFile();
    await SqliteReadStore.open(file).close();
    const db = new Database(file);
    db.exec('CREATE TABLE doc_things (id TEXT PRIMARY KEY, body TEXT NOT NULL)');
    db.exec(`CREATE INDEX doc_things__by_rank ON doc_things (json_extract(body, '$.rank') ASC, id ASC)`);
    const insert = db.prepare('INSERT INTO doc_things (id, body) VALUES (?, ?)');
    for (const doc of docs) insert.run(doc.id, JSON.stringify(doc));
    db.close();
    const store = SqliteReadStore.open(file);
    await store.ensureCollection('things', INDEXES);
    expect(await ids(store, { 'owner.id': 'o1' })).toEqual(['b', 'a', 'd']);
    expect(await ids(store, { rank: { gte: 2.5, lt: 3 } })).toEqual(['b']);
    expect(store.explainFind('things', { filter: { rank: 3 } }).join(' | ')).toMatch(/INDEX doc_things__by_rank/);
    await store.close();
  });
});
