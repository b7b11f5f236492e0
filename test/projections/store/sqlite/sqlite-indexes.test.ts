import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CollectionOptions, IndexSpec, WriteOp } from '../../../../src/projections/store/read-store.js';
import { SqliteReadStore } from '../../../../src/projections/store/sqlite/sqlite-read-store.js';
import { storedIndexes, tempDir, type StoredIndex } from '../../fixtures.js';

const INDEXES: IndexSpec[] = [
  { name: 'by_owner', fields: [{ field: 'owner' }] },
  { name: 'by_age', fields: [{ field: 'age', direction: 'desc' }] },
  { name: 'by_email', fields: [{ field: 'email' }], unique: true },
];
const STAGED = { checkpoint: 'people:staged', collections: [{ staged: 'people_staged', live: 'people' }] };

const people = (collection: string, count: number, tag: string): WriteOp[] =>
  Array.from({ length: count }, (_, i) => ({
    kind: 'upsert' as const,
    collection,
    doc: {
      id: `p${i}`,
      seq: i + 1,
      owner: `${tag}-owner-${i % 7}`,
      age: (i * 37) % 90,
      email: `${tag}-${i}@example.org`,
    },
  }));

describe('SQLite indexes after an online switch (promote)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  beforeEach(() => {
    tmp = tempDir('pl-indexes-');
    file = path.join(tmp.dir, 'read.sqlite');
  });
  afterEach(() => tmp.remove());

  const indexesOf = (table: string) => storedIndexes(file, table);

  /** A staged model of 60 people built beside the live one, as an online rebuild builds it, then switched to. */
  async function buildAndSwitch(
    store: SqliteReadStore,
    tag: string,
    position: number,
    indexes: IndexSpec[] = INDEXES,
    options: CollectionOptions = {},
  ): Promise<{ before: StoredIndex[]; after: StoredIndex[] }> {
    await store.ensureCollection('people_staged', indexes, { ...options, bulkLoad: true });
    await store.write(people('people_staged', 60, tag), { name: STAGED.checkpoint, position });
    await store.ensureCollection('people_staged', indexes, options);
    const before = indexesOf('doc_people_staged');
    await store.promote('people', STAGED);
    await store.ensureCollection('people', indexes, options);
    return { before, after: indexesOf('doc_people') };
  }

  /** The index built for declared index `name` among `indexes`: whichever table's name it bears, maybe with a `_r<n>` suffix. */
  const built = (indexes: StoredIndex[], name: string) =>
    indexes.find((s) => new RegExp(`__${name}(_r\\d+)?$`).test(s.name));
  const using = (index: StoredIndex | undefined) => new RegExp(`USING (COVERING )?INDEX ${index?.name}\\b`);

  /** Each declared index answers a find by its field, and a find sorted like it reads it in order. */
  const expectServedByIndexes = (store: SqliteReadStore, served: StoredIndex[]) => {
    expect(store.explainFind('people', { filter: { owner: 'b-owner-3' } }).join()).toMatch(
      using(built(served, 'by_owner')),
    );
    expect(store.explainFind('people', { filter: { email: 'b-5@example.org' } }).join()).toMatch(
      using(built(served, 'by_email')),
    );
    const byAge = store.explainFind('people', { sort: [{ field: 'age', direction: 'desc' }] }).join();
    expect(byAge).toMatch(using(built(served, 'by_age')));
    expect(byAge).not.toContain('TEMP B-TREE');
  };

  it.each([
    ['keyed by id', {}],
    ['keyed by an integer field', { key: 'seq' }],
  ])(
    'a table %s keeps the staged indexes: none is built again after the switch, and each serves its finds',
    async (_, options: CollectionOptions) => {
      const store = SqliteReadStore.open(file);
      await store.ensureCollection('people', INDEXES, options);
      await store.write(people('people', 40, 'a'), { name: 'people', position: 1 });
      let served: StoredIndex[] = [];
      // Twice: the second staged build finds its index names held by the live table (the first one's).
      for (const [tag, position] of [
        ['b', 2],
        ['c', 3],
      ] as const) {
        const { before, after } = await buildAndSwitch(store, tag, position, INDEXES, options);
        expect(before).toHaveLength(INDEXES.length + (options.key === undefined ? 0 : 1));
        expect(after).toEqual(before);
        expect(
          (await store.find<{ id: string }>('people', { filter: { owner: `${tag}-owner-3` } })).items,
        ).toHaveLength(9);
        expect((await store.get('people', 'p5'))?.['email']).toBe(`${tag}-5@example.org`);
        expect(await store.getCheckpoint('people')).toBe(position);
        expectServedByIndexes(store, after);
        served = after;
      }
      await store.eraseRetired();
      await store.ensureCollection('people', INDEXES, options); // the staged names, free now, change nothing
      expect(indexesOf('doc_people')).toEqual(served);
      await store.close();
    },
  );

  it('an index declared otherwise after the switch is rebuilt, and one no longer declared is dropped', async () => {
    const store = SqliteReadStore.open(file);
    await store.ensureCollection('people', INDEXES);
    const { after } = await buildAndSwitch(store, 'b', 2);
    // The next deploy: by_owner also orders by age, by_age is gone; by_email is as it was.
    const next: IndexSpec[] = [
      { name: 'by_owner', fields: [{ field: 'owner' }, { field: 'age', direction: 'desc' }] },
      INDEXES[2]!,
    ];
    await store.ensureCollection('people', next);
    const now = indexesOf('doc_people');
    expect(now).toHaveLength(2);
    expect(built(now, 'by_age')).toBeUndefined();
    expect(built(now, 'by_email')).toEqual(built(after, 'by_email'));
    const byOwner = built(now, 'by_owner')!;
    expect(after.map((i) => i.rootpage)).not.toContain(byOwner.rootpage);
    const plan = store
      .explainFind('people', { filter: { owner: 'b-owner-3' }, sort: [{ field: 'age', direction: 'desc' }] })
      .join();
    expect(plan).toMatch(using(byOwner));
    expect(plan).not.toContain('TEMP B-TREE');
    const page = await store.find<{ id: string; age: number }>('people', {
      filter: { owner: 'b-owner-3' },
      sort: [{ field: 'age', direction: 'desc' }],
    });
    expect(page.items.map((p) => p.age)).toEqual([...page.items.map((p) => p.age)].sort((a, b) => b - a));
    await store.close();
  });
});

describe('SQLite: an index declared newest first', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir('pl-newest-')));
  afterEach(() => tmp.remove());

  it('filled in time order takes no more pages than one declared oldest first, and still lists newest first without sorting', async () => {
    const file = path.join(tmp.dir, 'read.sqlite');
    const store = SqliteReadStore.open(file);
    await store.ensureCollection('events', [
      { name: 'newest', fields: [{ field: 'owner' }, { field: 'at', direction: 'desc' }] },
      { name: 'oldest', fields: [{ field: 'owner' }, { field: 'at' }] },
    ]);
    const start = Date.UTC(2026, 0, 1);
    // as a projection folds them: batches of entries, each later than the one before
    for (let batch = 0; batch < 20; batch++) {
      const ops = Array.from({ length: 250 }, (_, i): WriteOp => {
        const n = batch * 250 + i;
        const at = new Date(start + n * 1000).toISOString();
        return {
          kind: 'upsert',
          collection: 'events',
          doc: { id: `e${String(n).padStart(5, '0')}`, owner: `o${n % 5}`, at },
        };
      });
      await store.write(ops);
    }
    const db = new Database(file, { readonly: true });
    const pages = (index: string) =>
      db.prepare('SELECT count(*) FROM dbstat WHERE name = ?').pluck().get(`doc_events__${index}`) as number;
    // newest first, stored as declared, each entry went to the start of its owner's range and split pages half full
    expect(pages('newest')).toBeLessThanOrEqual(pages('oldest') * 1.1);
    db.close();
    const query = { filter: { owner: 'o3' }, sort: [{ field: 'at', direction: 'desc' as const }], first: 3 };
    const plan = store.explainFind('events', query).join();
    expect(plan).toMatch(/INDEX doc_events__newest\b/);
    expect(plan).not.toContain('TEMP B-TREE');
    const page = await store.find<{ id: string; at: string }>('events', query);
    expect(page.items.map((e) => e.id)).toEqual(['e04998', 'e04993', 'e04988']);
    const next = await store.find<{ id: string }>('events', { ...query, after: page.endCursor! });
    expect(next.items.map((e) => e.id)).toEqual(['e04983', 'e04978', 'e04973']);
    await store.close();
  });
});
