import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Doc, Filter, FindQuery, IndexSpec } from '../../../../src/projections/store/read-store.js';
import { SqliteReadStore } from '../../../../src/projections/store/sqlite/sqlite-read-store.js';
import { tempDir } from '../../fixtures.js';

const INDEXES: IndexSpec[] = [
  {
    name: 'newest',
    fields: [
      { field: 'at', direction: 'desc' },
      { field: 'seq', direction: 'desc' },
    ],
  },
  {
    name: 'by_owner',
    fields: [{ field: 'owner' }, { field: 'at', direction: 'desc' }, { field: 'seq', direction: 'desc' }],
  },
  { name: 'by_flag', fields: [{ field: 'flag' }, { field: 'meta.kind' }] },
];
const newest = [
  { field: 'at', direction: 'desc' as const },
  { field: 'seq', direction: 'desc' as const },
];

/** 30 documents, several per instant, written out of key order. */
const docs: Doc[] = Array.from({ length: 30 }, (_, i) => {
  const seq = ((i * 7) % 30) + 1;
  // fields of every kind in columns: text, integers, booleans, null, missing, objects, reals
  const flag = [true, false, null, undefined, { on: 1 }, 2.5][seq % 6];
  return {
    id: `e-${seq}`,
    seq,
    at: `2026-01-0${1 + (seq % 4)}`,
    owner: seq % 5 === 0 ? null : `o${seq % 3}`,
    ...(flag === undefined ? {} : { flag }),
    meta: { kind: seq % 2 ? 'odd' : 'even' },
    fields: ['a', 'b'],
  };
});
const upserts = (collection: string, list: readonly Doc[]) =>
  list.map((doc) => ({ kind: 'upsert' as const, collection, doc }));

/** Every page of a query, following endCursor: the items' ids and the cursors. */
async function allPages(store: SqliteReadStore, collection: string, query: FindQuery) {
  const pages: { ids: string[]; cursors: string[] }[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.find(collection, { ...query, first: 4, ...(after ? { after } : {}) });
    pages.push({ ids: page.items.map((doc) => doc.id), cursors: page.cursors });
    if (!page.hasNextPage) return pages;
    after = page.endCursor!;
  }
}

describe('SQLite read store: a collection keyed by an integer field', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: SqliteReadStore;
  beforeEach(() => {
    tmp = tempDir('pl-keyed-');
    store = SqliteReadStore.open(path.join(tmp.dir, 'read.sqlite'));
  });
  afterEach(async () => {
    await store.close();
    tmp.remove();
  });

  it('answers every read as the same documents keyed by id do: pages, cursors, gets, patches, deletes', async () => {
    await store.ensureCollection('plain', INDEXES);
    await store.ensureCollection('keyed', INDEXES, { key: 'seq', bulkLoad: true });
    await store.write([...upserts('plain', docs), ...upserts('keyed', docs)]);
    await store.ensureCollection('keyed', INDEXES, { key: 'seq' });
    const both = async () => {
      for (const filter of [{}, { owner: 'o1' }, { owner: 'o2', at: { lt: '2026-01-04' } }] as Filter[]) {
        const keyed = await allPages(store, 'keyed', { filter, sort: newest });
        expect(keyed).toEqual(await allPages(store, 'plain', { filter, sort: newest }));
        expect(keyed.flatMap((page) => page.ids).length).toBeGreaterThan(1);
      }
      expect(await store.getMany('keyed', ['e-3', 'none', 'e-30'])).toEqual(
        await store.getMany('plain', ['e-3', 'none', 'e-30']),
      );
      expect(await store.count('keyed', { owner: 'o0' })).toBe(await store.count('plain', { owner: 'o0' }));
      expect(await store.count('keyed', { flag: true })).toBe(await store.count('plain', { flag: true }));
      const every = async (c: string) => (await store.find(c, { sort: [{ field: 'seq' }], first: 100 })).items;
      expect(await every('keyed')).toEqual(await every('plain'));
      expect(await every('keyed')).toHaveLength(await store.count('plain'));
    };
    await both();
    expect((await allPages(store, 'keyed', { sort: newest })).flatMap((page) => page.ids)).toHaveLength(30);
    for (const collection of ['plain', 'keyed']) {
      await store.write([
        { kind: 'patch', collection, id: 'e-4', set: { owner: 'o1', 'extra.note': 'x' } },
        // within a text field (no change), and beside fields kept in columns only
        { kind: 'patch', collection, id: 'e-7', set: { 'owner.x': 1, 'meta.kind': 'changed', at: undefined } },
        { kind: 'delete', collection, id: 'e-5' },
        { kind: 'upsert', collection, doc: { ...docs[0]!, at: '2026-01-09' } },
      ]);
    }
    await both();
    expect(await store.get('keyed', 'e-4')).toMatchObject({ seq: 4, owner: 'o1', extra: { note: 'x' } });
    expect(await store.get('keyed', 'e-5')).toBeNull();
  });

  it('reads an index in order for a sort that reaches the key, with no sort step', async () => {
    await store.ensureCollection('keyed', INDEXES, { key: 'seq' });
    await store.write(upserts('keyed', docs));
    for (const filter of [{}, { owner: 'o1' }] as Filter[]) {
      const { endCursor } = await store.find('keyed', { filter, sort: newest, first: 2 });
      for (const after of [undefined, endCursor!]) {
        const plan = store.explainFind('keyed', { filter, sort: newest, ...(after ? { after } : {}) }).join(' | ');
        expect(plan).toMatch(/USING INDEX doc_keyed__/);
        expect(plan).not.toMatch(/TEMP B-TREE/);
      }
    }
  });

  it('refuses a document without an integer key, another id at a taken key and a patch of the key, writing nothing', async () => {
    await store.ensureCollection('keyed', INDEXES, { key: 'seq' });
    await store.write(upserts('keyed', docs.slice(0, 2)));
    const before = await allPages(store, 'keyed', { sort: newest });
    for (const doc of [{ id: 'x', seq: '7' }, { id: 'y' }, { id: 'z', seq: 1.5 }]) {
      await expect(store.write(upserts('keyed', [doc]))).rejects.toThrow(/"seq" must be an integer/);
    }
    await expect(store.write(upserts('keyed', [{ ...docs[0]!, id: 'other' }]))).rejects.toThrow(
      /another document holds its "seq"/,
    );
    await expect(
      store.write([{ kind: 'patch', collection: 'keyed', id: docs[0]!.id, set: { seq: 99 } }]),
    ).rejects.toThrow(/the seq cannot change/);
    expect(await allPages(store, 'keyed', { sort: newest })).toEqual(before);
  });

  it('keys a collection that holds documents already, keeping them and their pages', async () => {
    await store.ensureCollection('things', INDEXES);
    await store.write(upserts('things', docs));
    const before = await allPages(store, 'things', { filter: { owner: 'o2' }, sort: newest });
    await store.ensureCollection('things', INDEXES, { key: 'seq' });
    expect(await allPages(store, 'things', { filter: { owner: 'o2' }, sort: newest })).toEqual(before);
    expect(store.explainFind('things', { sort: newest }).join(' | ')).not.toMatch(/TEMP B-TREE/);
    await store.write(upserts('things', [{ id: 'new', seq: 31, at: '2026-01-05', owner: 'o2' }]));
    expect((await store.find('things', { filter: { owner: 'o2' }, sort: newest, first: 1 })).items[0]!.id).toBe('new');
  });

  it('refuses to key documents that have no integer key, keeping the collection as it was', async () => {
    await store.ensureCollection('things', INDEXES);
    await store.write(upserts('things', [...docs.slice(0, 3), { id: 'odd', seq: 'one', at: '2026-01-01' }]));
    await expect(store.ensureCollection('things', INDEXES, { key: 'seq' })).rejects.toThrow(/no integer "seq"/);
    expect(await store.count('things')).toBe(4);
    expect(await store.get('things', 'odd')).toMatchObject({ seq: 'one' });
  });
});
