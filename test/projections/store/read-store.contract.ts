import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  Doc,
  Filter,
  FindQuery,
  ReadStore,
  Scalar,
  SortKey,
  WriteOp,
} from '../../../src/projections/store/read-store.js';

export type ReadStoreFactory = () => Promise<{ store: ReadStore; cleanup(): Promise<void> }>;

const people: Doc[] = [
  { id: 'a', name: 'Ann', age: 31, city: 'Beijing', tags: ['x'], address: { zip: '100000' }, active: true },
  { id: 'b', name: 'Bo', age: 25, city: 'Shanghai', address: { zip: '200000' }, active: false },
  { id: 'c', name: 'Chen', age: 31, city: 'Beijing', address: { zip: '100001' }, active: true },
  { id: 'd', name: 'Dai', age: 40, city: null, address: { zip: '300000' } },
  { id: 'e', name: 'Eve', age: 9, address: { zip: '400000' } },
];

/**
 * 40 documents for paging: few distinct values (many ties), nulls and
 * missing fields, and ids that do not follow insertion order.
 */
const crowd: Doc[] = Array.from({ length: 40 }, (_, i) => {
  const doc: Doc = {
    id: `m${(i * 17) % 40}`,
    rank: i % 5 === 0 ? null : (i * 7) % 4,
    group: ['x', 'y', 'z'][i % 3] ?? 'x',
    score: (i % 6) / 2,
  };
  if (i % 7 === 0) delete doc['rank'];
  if (i % 4 === 0) doc['nested'] = { level: i % 3 };
  return doc;
});

const valueAt = (doc: Doc, path: string): Scalar => {
  let value: unknown = doc;
  for (const part of path.split('.'))
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return (value ?? null) as Scalar;
};

/** The contract's order: nulls and missing fields first ascending (last descending), then id ascending. */
function expectedOrder(docs: readonly Doc[], sort: readonly SortKey[]): string[] {
  const compare = (x: Scalar, y: Scalar): number => (x === y ? 0 : x === null ? -1 : y === null ? 1 : x < y ? -1 : 1);
  return [...docs]
    .sort((p, q) => {
      for (const key of sort) {
        const c = compare(valueAt(p, key.field), valueAt(q, key.field));
        if (c !== 0) return key.direction === 'desc' ? -c : c;
      }
      return compare(p.id, q.id);
    })
    .map((doc) => doc.id);
}

/** The behaviour every ReadStore adapter must show. Adapter test files call this with a factory. */
export function readStoreContract(adapterName: string, factory: ReadStoreFactory): void {
  describe(`ReadStore contract: ${adapterName}`, () => {
    let store: ReadStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await factory());
      await store.ensureCollection('people', [
        { name: 'by_age', fields: [{ field: 'age', direction: 'desc' }] },
        { name: 'by_city_name', fields: [{ field: 'city' }, { field: 'name' }] },
      ]);
      await store.write(people.map((doc) => ({ kind: 'upsert' as const, collection: 'people', doc })));
    });
    afterEach(async () => {
      await cleanup();
    });

    const ids = async (query: FindQuery, collection = 'people') =>
      (await store.find(collection, query)).items.map((d) => d.id);

    async function pageThrough(query: FindQuery, collection = 'people'): Promise<string[]> {
      const seen: string[] = [];
      let after: string | undefined;
      for (let guard = 0; guard < 100; guard++) {
        const page = await store.find(collection, { ...query, ...(after ? { after } : {}) });
        seen.push(...page.items.map((d) => d.id));
        if (!page.hasNextPage) return seen;
        after = page.endCursor!;
      }
      throw new Error('pagination did not end');
    }

    describe('collections', () => {
      it('ensureCollection can be called again with the same indexes, keeping the documents', async () => {
        await store.ensureCollection('people', [
          { name: 'by_age', fields: [{ field: 'age', direction: 'desc' }] },
          { name: 'by_city_name', fields: [{ field: 'city' }, { field: 'name' }] },
        ]);
        await store.ensureCollection('people');
        expect(await store.count('people')).toBe(5);
      });

      it('a collection never ensured is created on first use, by a read or a write', async () => {
        expect(await store.get('never_written', 'x')).toBeNull();
        expect(await store.getMany('never_written', ['x'])).toEqual([null]);
        expect(await store.find('never_written')).toEqual({
          items: [],
          cursors: [],
          endCursor: null,
          hasNextPage: false,
        });
        expect(await store.count('never_written')).toBe(0);
        await store.write([{ kind: 'upsert', collection: 'lazily_made', doc: { id: '1', n: 1 } }]);
        expect(await store.get('lazily_made', '1')).toEqual({ id: '1', n: 1 });
      });

      it('names that could reach the query language are refused', async () => {
        for (const bad of ['people; DROP TABLE x', 'People', '1people', '', 'a'.repeat(64), 'peo-ple']) {
          await expect(store.get(bad, 'a'), bad).rejects.toThrow(/collection/);
        }
        await expect(store.find('people', { filter: { "name') OR 1=1 --": 'x' } })).rejects.toThrow(/field/);
        await expect(store.find('people', { sort: [{ field: 'name desc' }] })).rejects.toThrow(/field/);
        await expect(store.count('people', { 'address..zip': '1' })).rejects.toThrow(/field/);
        await expect(store.ensureCollection('people', [{ name: 'x', fields: [{ field: '$where' }] }])).rejects.toThrow(
          /field/,
        );
        await expect(
          store.ensureCollection('people', [{ name: 'bad name', fields: [{ field: 'age' }] }]),
        ).rejects.toThrow(/index/);
        await expect(
          store.write([{ kind: 'patch', collection: 'people', id: 'a', set: { "x'); --": 1 } }]),
        ).rejects.toThrow(/field/);
        await expect(store.reset('p', ['../x'])).rejects.toThrow(/collection/);
        expect(await store.count('people')).toBe(5);
      });
    });

    describe('documents', () => {
      it('documents round-trip exactly: unicode, nesting, numbers, booleans and nulls', async () => {
        const doc = {
          id: '统一-✓-😀',
          text: '统一社会信用代码 ✓ "quoted" \\ back\nslash 😀',
          nested: { list: [1, 'two', null, { deep: true }], empty: {}, none: [] },
          n: 1.5,
          negative: -42,
          big: 9007199254740991,
          tiny: 1e-7,
          zero: 0,
          f: false,
          t: true,
          nothing: null,
        };
        await store.write([{ kind: 'upsert', collection: 'people', doc }]);
        expect(await store.get('people', doc.id)).toEqual(doc);
        expect((await store.find('people', { filter: { id: doc.id } })).items).toEqual([doc]);
      });

      it('a missing document reads as null', async () => {
        expect(await store.get('people', 'nobody')).toBeNull();
      });

      it('getMany answers in the order asked, with null where absent and repeats allowed', async () => {
        const found = await store.getMany('people', ['c', 'zz', 'a', 'c']);
        expect(found.map((d) => d?.id ?? null)).toEqual(['c', null, 'a', 'c']);
        expect(found[0]).toEqual(people[2]);
        expect(await store.getMany('people', [])).toEqual([]);
      });

      it('getMany reads many ids in one call', async () => {
        const docs = Array.from({ length: 1500 }, (_, i) => ({ id: `bulk${i}`, i }));
        await store.write(docs.map((doc) => ({ kind: 'upsert' as const, collection: 'bulk', doc })));
        const asked = [...docs.map((d) => d.id)].reverse().concat('missing');
        const found = await store.getMany('bulk', asked);
        expect(found.map((d) => d?.id ?? null)).toEqual([...asked.slice(0, -1), null]);
      });
    });

    describe('writes', () => {
      it('upsert replaces the whole document', async () => {
        await store.write([{ kind: 'upsert', collection: 'people', doc: { id: 'a', name: 'Ann B.' } }]);
        expect(await store.get('people', 'a')).toEqual({ id: 'a', name: 'Ann B.' });
      });

      it('patch sets dotted paths, creating intermediate objects, and keeps everything else', async () => {
        await store.write([
          {
            kind: 'patch',
            collection: 'people',
            id: 'b',
            set: {
              'address.city.district': 'Pudong',
              age: 26,
              tags: ['p', 'q'],
              city: null,
              'contact.email': 'bo@example.cn',
            },
          },
        ]);
        expect(await store.get('people', 'b')).toEqual({
          id: 'b',
          name: 'Bo',
          age: 26,
          city: null,
          active: false,
          tags: ['p', 'q'],
          address: { zip: '200000', city: { district: 'Pudong' } },
          contact: { email: 'bo@example.cn' },
        });
        expect(await ids({ filter: { 'address.city.district': 'Pudong' } })).toEqual(['b']);
      });

      it('patch of a missing document and delete of a missing document change nothing', async () => {
        await store.write([
          { kind: 'patch', collection: 'people', id: 'nobody', set: { age: 1 } },
          { kind: 'delete', collection: 'people', id: 'nobody' },
        ]);
        expect(await store.get('people', 'nobody')).toBeNull();
        expect(await store.count('people')).toBe(5);
      });

      it('patch cannot change the id', async () => {
        await expect(store.write([{ kind: 'patch', collection: 'people', id: 'a', set: { id: 'z' } }])).rejects.toThrow(
          /id/,
        );
        expect(await store.get('people', 'a')).toEqual(people[0]);
      });

      it('delete removes the document', async () => {
        await store.write([{ kind: 'delete', collection: 'people', id: 'c' }]);
        expect(await store.get('people', 'c')).toBeNull();
        expect(await store.count('people')).toBe(4);
      });

      it('operations apply in the order given, across collections', async () => {
        await store.write([
          { kind: 'delete', collection: 'people', id: 'a' },
          { kind: 'upsert', collection: 'people', doc: { id: 'a', name: 'Again', n: 1 } },
          { kind: 'patch', collection: 'people', id: 'a', set: { n: 2 } },
          { kind: 'upsert', collection: 'places', doc: { id: 'p1', ownerId: 'a' } },
          { kind: 'upsert', collection: 'people', doc: { id: 'x', n: 1 } },
          { kind: 'delete', collection: 'people', id: 'x' },
        ]);
        expect(await store.get('people', 'a')).toEqual({ id: 'a', name: 'Again', n: 2 });
        expect(await store.get('people', 'x')).toBeNull();
        expect(await store.get('places', 'p1')).toEqual({ id: 'p1', ownerId: 'a' });
      });

      it("a projection's writes and its checkpoint commit together", async () => {
        expect(await store.getCheckpoint('p')).toBeNull();
        await store.write([{ kind: 'upsert', collection: 'people', doc: { id: 'f', name: 'Fu' } }], {
          name: 'p',
          position: 42,
        });
        expect(await store.get('people', 'f')).toEqual({ id: 'f', name: 'Fu' });
        expect(await store.getCheckpoint('p')).toBe(42);
        await store.write([], { name: 'p', position: 43 });
        expect(await store.getCheckpoint('p')).toBe(43);
      });

      it('a batch whose checkpoint is not past the stored one was applied before, and applies nothing again', async () => {
        await store.write([{ kind: 'upsert', collection: 'people', doc: { id: 'f', n: 1 } }], {
          name: 'p',
          position: 10,
        });
        await store.write(
          [
            { kind: 'upsert', collection: 'people', doc: { id: 'f', n: 2 } },
            { kind: 'delete', collection: 'people', id: 'a' },
          ],
          { name: 'p', position: 10 },
        );
        await store.write([{ kind: 'upsert', collection: 'people', doc: { id: 'f', n: 3 } }], {
          name: 'p',
          position: 7,
        });
        expect(await store.get('people', 'f')).toEqual({ id: 'f', n: 1 });
        expect(await store.get('people', 'a')).toEqual(people[0]);
        expect(await store.getCheckpoint('p')).toBe(10);
        await store.write([{ kind: 'upsert', collection: 'people', doc: { id: 'f', n: 4 } }], {
          name: 'p',
          position: 11,
        });
        expect(await store.get('people', 'f')).toEqual({ id: 'f', n: 4 });
      });

      it('a failing batch applies nothing: neither its earlier writes nor its checkpoint', async () => {
        await store.write([], { name: 'p', position: 1 });
        await expect(
          store.write(
            [
              { kind: 'upsert', collection: 'people', doc: { id: 'g', name: 'Gao' } },
              { kind: 'patch', collection: 'people', id: 'a', set: { name: 'Changed' } },
              { kind: 'delete', collection: 'people', id: 'b' },
              { kind: 'upsert', collection: 'Bad Name!', doc: { id: 'h' } },
            ],
            { name: 'p', position: 2 },
          ),
        ).rejects.toThrow(/collection/);
        expect(await store.get('people', 'g')).toBeNull();
        expect(await store.get('people', 'a')).toEqual(people[0]);
        expect(await store.get('people', 'b')).toEqual(people[1]);
        expect(await store.getCheckpoint('p')).toBe(1);
      });

      it('after a failed batch that touched a new collection, that collection still works', async () => {
        const failing: WriteOp[] = [
          { kind: 'upsert', collection: 'brand_new', doc: { id: '1' } },
          { kind: 'upsert', collection: 'people', doc: { id: 'x', n: 1 } },
          { kind: 'upsert', collection: 'people', doc: { name: 'no id' } as unknown as Doc },
        ];
        await expect(store.write(failing)).rejects.toThrow(/id/);
        expect(await store.get('brand_new', '1')).toBeNull();
        expect(await store.get('people', 'x')).toBeNull();
        await store.write([{ kind: 'upsert', collection: 'brand_new', doc: { id: '2' } }]);
        expect(await store.get('brand_new', '2')).toEqual({ id: '2' });
      });

      it('a unique index refuses a second document with the same value, and the batch applies nothing', async () => {
        await store.ensureCollection('accounts', [{ name: 'by_email', fields: [{ field: 'email' }], unique: true }]);
        await store.write([{ kind: 'upsert', collection: 'accounts', doc: { id: '1', email: 'a@example.cn' } }]);
        await expect(
          store.write(
            [
              { kind: 'upsert', collection: 'accounts', doc: { id: '2', email: 'b@example.cn' } },
              { kind: 'upsert', collection: 'accounts', doc: { id: '3', email: 'a@example.cn' } },
            ],
            { name: 'accounts', position: 5 },
          ),
        ).rejects.toThrow();
        expect(await store.count('accounts')).toBe(1);
        expect(await store.getCheckpoint('accounts')).toBeNull();
        await store.write([{ kind: 'upsert', collection: 'accounts', doc: { id: '1', email: 'new@example.cn' } }]);
        await store.write([{ kind: 'upsert', collection: 'accounts', doc: { id: '3', email: 'a@example.cn' } }]);
        expect(await store.count('accounts')).toBe(2);
      });
    });

    it('a batch that deletes a document and gives its unique value to another applies in order', async () => {
      await store.ensureCollection('accounts', [{ name: 'by_email', fields: [{ field: 'email' }], unique: true }]);
      await store.write([{ kind: 'upsert', collection: 'accounts', doc: { id: '1', email: 'a@example.cn' } }]);
      await store.write([
        { kind: 'delete', collection: 'accounts', id: '1' },
        { kind: 'upsert', collection: 'accounts', doc: { id: '2', email: 'a@example.cn' } },
      ]);
      expect(await store.get('accounts', '1')).toBeNull();
      expect(await store.get('accounts', '2')).toEqual({ id: '2', email: 'a@example.cn' });
    });

    it('documents without a unique value, missing or null, never collide; a patch to undefined removes the field', async () => {
      await store.ensureCollection('accounts', [{ name: 'by_email', fields: [{ field: 'email' }], unique: true }]);
      await store.write([
        { kind: 'upsert', collection: 'accounts', doc: { id: '1', email: null } },
        { kind: 'upsert', collection: 'accounts', doc: { id: '2', email: null } },
        { kind: 'upsert', collection: 'accounts', doc: { id: '3' } },
        { kind: 'upsert', collection: 'accounts', doc: { id: '4', email: 'b@example.cn', name: 'Bo' } },
        { kind: 'patch', collection: 'accounts', id: '4', set: { email: undefined } },
      ]);
      expect(await store.get('accounts', '4')).toEqual({ id: '4', name: 'Bo' });
      expect(await store.count('accounts', { email: null })).toBe(4);
    });

    describe('checkpoints', () => {
      it('an unknown checkpoint is null; listCheckpoints lists every one', async () => {
        expect(await store.getCheckpoint('nobody')).toBeNull();
        expect(await store.listCheckpoints()).toEqual([]);
        await store.write([], { name: 'q', position: 3 });
        await store.write([], { name: 'p', position: 7 });
        const listed = await store.listCheckpoints();
        expect([...listed].sort((x, y) => x.name.localeCompare(y.name))).toEqual([
          { name: 'p', position: 7 },
          { name: 'q', position: 3 },
        ]);
      });

      it('reset drops the collections and the checkpoint together, and nothing else', async () => {
        await store.write([{ kind: 'upsert', collection: 'others', doc: { id: 'o' } }], { name: 'p', position: 9 });
        await store.write([], { name: 'other', position: 4 });
        await store.reset('p', ['people', 'never_created']);
        expect(await store.getCheckpoint('p')).toBeNull();
        expect(await store.getCheckpoint('other')).toBe(4);
        expect(await store.count('people')).toBe(0);
        expect(await store.get('people', 'a')).toBeNull();
        expect(await store.get('others', 'o')).toEqual({ id: 'o' });
      });

      it('a reset collection can be ensured and written again', async () => {
        await store.reset('p', ['people']);
        await store.ensureCollection('people', [{ name: 'by_age', fields: [{ field: 'age', direction: 'desc' }] }]);
        await store.write([{ kind: 'upsert', collection: 'people', doc: { id: 'a', age: 1 } }], {
          name: 'p',
          position: 1,
        });
        expect(await ids({ sort: [{ field: 'age', direction: 'desc' }] })).toEqual(['a']);
        expect(await store.getCheckpoint('p')).toBe(1);
      });
    });

    describe('promote', () => {
      const staged = { checkpoint: 'p:staged', collections: [{ staged: 'people_staged', live: 'people' }] };

      it('replaces the live collections and checkpoint with the staged ones, and touches nothing else', async () => {
        await store.write([{ kind: 'upsert', collection: 'others', doc: { id: 'o' } }], { name: 'p', position: 5 });
        await store.ensureCollection('people_staged', [
          { name: 'by_age', fields: [{ field: 'age', direction: 'desc' }] },
        ]);
        await store.write(
          [
            { kind: 'upsert', collection: 'people_staged', doc: { id: 'a', age: 2, v: 2 } },
            { kind: 'upsert', collection: 'people_staged', doc: { id: 'z', age: 3, v: 2 } },
          ],
          { name: 'p:staged', position: 9 },
        );
        await store.promote('p', staged);
        expect(await store.get('people', 'a')).toEqual({ id: 'a', age: 2, v: 2 });
        expect(await store.get('people', 'b')).toBeNull();
        expect(await store.getCheckpoint('p')).toBe(9);
        expect(await store.getCheckpoint('p:staged')).toBeNull();
        expect(await store.count('people_staged')).toBe(0);
        expect(await store.get('others', 'o')).toEqual({ id: 'o' });
        // The indexes came along, and the live declaration takes them over.
        await store.ensureCollection('people', [{ name: 'by_age', fields: [{ field: 'age', direction: 'desc' }] }]);
        expect(await ids({ sort: [{ field: 'age', direction: 'desc' }] })).toEqual(['z', 'a']);
        await store.write([{ kind: 'upsert', collection: 'people', doc: { id: 'y', age: 1 } }], {
          name: 'p',
          position: 10,
        });
        expect(await ids({ sort: [{ field: 'age', direction: 'desc' }] })).toEqual(['z', 'a', 'y']);
      });

      it('refuses when nothing was staged, and changes nothing', async () => {
        await store.write([], { name: 'p', position: 5 });
        await expect(store.promote('p', staged)).rejects.toThrow(/nothing staged/);
        expect(await store.count('people')).toBe(5);
        expect(await store.getCheckpoint('p')).toBe(5);
      });
    });

    describe('filters', () => {
      it('a bare value is equality, on top-level and nested fields', async () => {
        expect(await ids({ filter: { city: 'Beijing' } })).toEqual(['a', 'c']);
        expect(await ids({ filter: { 'address.zip': '300000' } })).toEqual(['d']);
        expect(await ids({ filter: { age: { eq: 25 } } })).toEqual(['b']);
        expect(await ids({ filter: { active: true } })).toEqual(['a', 'c']);
        expect(await ids({ filter: { active: false } })).toEqual(['b']);
        expect(await ids({ filter: { id: 'e' } })).toEqual(['e']);
      });

      it('entries combine with AND', async () => {
        expect(await ids({ filter: { age: { gt: 9 }, city: 'Beijing', name: { ne: 'Ann' } } })).toEqual(['c']);
        expect(await ids({ filter: { age: 31, city: 'Shanghai' } })).toEqual([]);
      });

      it('null equality matches missing and null fields; ne null matches the others', async () => {
        expect(await ids({ filter: { city: null } })).toEqual(['d', 'e']);
        expect(await ids({ filter: { city: { eq: null } } })).toEqual(['d', 'e']);
        expect(await ids({ filter: { city: { ne: null } } })).toEqual(['a', 'b', 'c']);
      });

      it('ne also matches documents where the field is missing or null', async () => {
        expect(await ids({ filter: { city: { ne: 'Beijing' } } })).toEqual(['b', 'd', 'e']);
      });

      it('in matches any listed value; an empty list matches nothing; null in the list matches missing', async () => {
        expect(await ids({ filter: { age: { in: [25, 40] } } })).toEqual(['b', 'd']);
        expect(await ids({ filter: { age: { in: [] } } })).toEqual([]);
        expect(await ids({ filter: { city: { in: ['Shanghai', null] } } })).toEqual(['b', 'd', 'e']);
        const many = Array.from({ length: 2000 }, (_, i) => i + 1000);
        expect(await ids({ filter: { age: { in: [...many, 9] } } })).toEqual(['e']);
      });

      it('ranges compare numbers as numbers', async () => {
        expect(await ids({ filter: { age: { lt: 10 } } })).toEqual(['e']);
        expect(await ids({ filter: { age: { gte: 25, lt: 40 } } })).toEqual(['a', 'b', 'c']);
        expect(await ids({ filter: { age: { gt: 30.5, lte: 31 } } })).toEqual(['a', 'c']);
        expect(await ids({ filter: { age: { gt: -1 } } })).toEqual(['a', 'b', 'c', 'd', 'e']);
      });

      it('ranges compare strings as strings', async () => {
        expect(await ids({ filter: { 'address.zip': { gte: '200000' } } })).toEqual(['b', 'd', 'e']);
        expect(await ids({ filter: { name: { gt: 'B', lt: 'D' } } })).toEqual(['b', 'c']);
      });

      it('a value of another type never matches: "31" is not 31, a numeric range skips text and the reverse', async () => {
        await store.write([
          { kind: 'upsert', collection: 'people', doc: { id: 's', age: '31', name: 50 } },
          { kind: 'upsert', collection: 'people', doc: { id: 't', age: 'old' } },
        ]);
        expect(await ids({ filter: { age: 31 } })).toEqual(['a', 'c']);
        expect(await ids({ filter: { age: '31' } })).toEqual(['s']);
        expect(await ids({ filter: { age: { gt: 35 } } })).toEqual(['d']);
        expect(await ids({ filter: { age: { gte: '0' } } })).toEqual(['s', 't']);
        expect(await ids({ filter: { name: { lt: 'B' } } })).toEqual(['a']);
        expect(await ids({ filter: { name: { gte: 0 } } })).toEqual(['s']);
      });

      it('an undefined bound is ignored, an undefined entry or an unknown condition is refused', async () => {
        expect(await ids({ filter: { age: { gte: 30, lte: undefined } } })).toEqual(['a', 'c', 'd']);
        await expect(store.find('people', { filter: { city: undefined as unknown as string } })).rejects.toThrow(
          /city/,
        );
        await expect(store.find('people', { filter: { age: { gteq: 1 } as never } })).rejects.toThrow(/gteq/);
        await expect(store.count('people', { address: { zip: '100000' } as never })).rejects.toThrow(/zip/);
      });

      it('counts what a filter matches', async () => {
        expect(await store.count('people')).toBe(5);
        expect(await store.count('people', { age: 31 })).toBe(2);
        expect(await store.count('people', { city: null })).toBe(2);
        expect(await store.count('people', { age: { in: [] } })).toBe(0);
      });
    });

    describe('sorting and paging', () => {
      it('sorts by fields in either direction with the id as the last tie-breaker', async () => {
        expect(await ids({ sort: [{ field: 'age', direction: 'desc' }] })).toEqual(['d', 'a', 'c', 'b', 'e']);
        expect(await ids({ sort: [{ field: 'age' }] })).toEqual(['e', 'b', 'a', 'c', 'd']);
        expect(await ids({ sort: [{ field: 'address.zip', direction: 'desc' }] })).toEqual(['e', 'd', 'b', 'c', 'a']);
        expect(await ids({})).toEqual(['a', 'b', 'c', 'd', 'e']);
      });

      it('an explicit sort on id is honoured, descending too', async () => {
        expect(await ids({ sort: [{ field: 'id', direction: 'desc' }] })).toEqual(['e', 'd', 'c', 'b', 'a']);
        expect(await pageThrough({ sort: [{ field: 'id', direction: 'desc' }], first: 2 })).toEqual([
          'e',
          'd',
          'c',
          'b',
          'a',
        ]);
      });

      it('null and missing values sort first ascending and last descending', async () => {
        expect(await ids({ sort: [{ field: 'city' }] })).toEqual(['d', 'e', 'a', 'c', 'b']);
        expect(await ids({ sort: [{ field: 'city', direction: 'desc' }] })).toEqual(['b', 'a', 'c', 'd', 'e']);
      });

      it('numbers sort as numbers', async () => {
        await store.write([{ kind: 'upsert', collection: 'people', doc: { id: 'f', age: 100 } }]);
        expect(await ids({ sort: [{ field: 'age' }] })).toEqual(['e', 'b', 'a', 'c', 'd', 'f']);
      });

      it('booleans sort false before true, after the nulls, and page through in that order', async () => {
        const flags: Doc[] = [
          { id: 'f1', on: true },
          { id: 'f2', on: false },
          { id: 'f3', on: null },
          { id: 'f4', on: true },
          { id: 'f5' },
          { id: 'f6', on: false },
        ];
        await store.write(flags.map((doc) => ({ kind: 'upsert' as const, collection: 'flags', doc })));
        expect(await ids({ sort: [{ field: 'on' }] }, 'flags')).toEqual(['f3', 'f5', 'f2', 'f6', 'f1', 'f4']);
        expect(await pageThrough({ sort: [{ field: 'on', direction: 'desc' }], first: 1 }, 'flags')).toEqual([
          'f1',
          'f4',
          'f2',
          'f6',
          'f3',
          'f5',
        ]);
      });

      it('paging over a field that mixes booleans, numbers, strings and nulls yields every document once, in the order of one full read', async () => {
        const mixed: Doc[] = [true, 0, 'a', null, false, 2, 'b', true, 1, undefined].map((v, i) =>
          v === undefined ? { id: `x${i}` } : { id: `x${i}`, v },
        );
        await store.write(mixed.map((doc) => ({ kind: 'upsert' as const, collection: 'mixed', doc })));
        for (const direction of ['asc', 'desc'] as const) {
          const whole = await ids({ sort: [{ field: 'v', direction }], first: 100 }, 'mixed');
          expect(whole).toHaveLength(mixed.length);
          for (const first of [1, 2, 3])
            expect(
              await pageThrough({ sort: [{ field: 'v', direction }], first }, 'mixed'),
              `${direction} by ${first}`,
            ).toEqual(whole);
        }
      });

      it('paging through any sort yields every document once, in order, nulls and ties included', async () => {
        await store.write(crowd.map((doc) => ({ kind: 'upsert' as const, collection: 'crowd', doc })));
        const sorts: SortKey[][] = [
          [],
          [{ field: 'rank' }],
          [{ field: 'rank', direction: 'desc' }],
          [{ field: 'group' }, { field: 'rank', direction: 'desc' }],
          [{ field: 'rank', direction: 'desc' }, { field: 'score' }],
          [{ field: 'nested.level', direction: 'desc' }, { field: 'rank' }, { field: 'score', direction: 'desc' }],
          [
            { field: 'score', direction: 'desc' },
            { field: 'id', direction: 'desc' },
          ],
        ];
        for (const sort of sorts) {
          const expected = expectedOrder(crowd, sort);
          expect(await ids({ sort, first: 100 }, 'crowd'), JSON.stringify(sort)).toEqual(expected);
          for (const first of [1, 3, 7]) {
            expect(await pageThrough({ sort, first }, 'crowd'), `${JSON.stringify(sort)} by ${first}`).toEqual(
              expected,
            );
          }
        }
      });

      it('paging with a filter yields every match once, in order', async () => {
        await store.write(crowd.map((doc) => ({ kind: 'upsert' as const, collection: 'crowd', doc })));
        const filters: Filter[] = [
          { group: 'y' },
          { rank: null },
          { rank: { gte: 1 } },
          { group: { in: ['x', 'z'] }, score: { ne: 0 } },
        ];
        for (const filter of filters) {
          const matching = (await store.find('crowd', { filter, first: 1000 })).items;
          expect(matching.length).toBeGreaterThan(2);
          for (const sort of [
            [{ field: 'rank', direction: 'desc' as const }],
            [{ field: 'group' }, { field: 'score' }],
          ]) {
            expect(await pageThrough({ filter, sort, first: 2 }, 'crowd'), JSON.stringify({ filter, sort })).toEqual(
              expectedOrder(matching, sort),
            );
          }
        }
      });

      it("each item's cursor continues right after that item", async () => {
        const sort = [{ field: 'age', direction: 'desc' as const }];
        const page = await store.find('people', { sort, first: 5 });
        expect(page.cursors).toHaveLength(5);
        const next = await store.find('people', { sort, first: 2, after: page.cursors[1]! });
        expect(next.items.map((d) => d.id)).toEqual(page.items.slice(2, 4).map((d) => d.id));
        expect(page.endCursor).toBe(page.cursors[4]);
      });

      it('a cursor continues strictly after its position even when documents change around it', async () => {
        const sort = [{ field: 'age' }];
        const page = await store.find('people', { sort, first: 2 }); // e (9), b (25)
        await store.write([
          { kind: 'delete', collection: 'people', id: 'b' },
          { kind: 'upsert', collection: 'people', doc: { id: 'young', age: 1 } },
          { kind: 'upsert', collection: 'people', doc: { id: 'bb', age: 25 } },
        ]);
        expect(await ids({ sort, after: page.endCursor! })).toEqual(['bb', 'a', 'c', 'd']);
      });

      it('a page reports whether another follows', async () => {
        expect((await store.find('people', { first: 5 })).hasNextPage).toBe(false);
        expect((await store.find('people', { first: 4 })).hasNextPage).toBe(true);
        const last = await store.find('people', { first: 4 });
        const rest = await store.find('people', { first: 4, after: last.endCursor! });
        expect(rest.items.map((d) => d.id)).toEqual(['e']);
        expect(rest.hasNextPage).toBe(false);
        const beyond = await store.find('people', { first: 4, after: rest.endCursor! });
        expect(beyond).toEqual({ items: [], cursors: [], endCursor: null, hasNextPage: false });
        expect((await store.find('people', { filter: { age: 1000 } })).endCursor).toBeNull();
      });

      it('a page holds 50 documents unless asked otherwise, at most 1000', async () => {
        await store.write(
          Array.from({ length: 1001 }, (_, i) => ({
            kind: 'upsert' as const,
            collection: 'many',
            doc: { id: `n${i}`, i },
          })),
        );
        const page = await store.find('many');
        expect(page.items).toHaveLength(50);
        expect(page.hasNextPage).toBe(true);
        expect((await store.find('many', { first: 1000 })).items).toHaveLength(1000);
        expect((await store.find('many', { first: 1 })).items).toHaveLength(1);
        for (const first of [0, -1, 1001, 2.5, Number.NaN]) {
          await expect(store.find('many', { first }), String(first)).rejects.toThrow(/first/);
        }
      });

      it('a malformed cursor, or one from another sort, is refused as invalid', async () => {
        const page = await store.find('people', { sort: [{ field: 'age' }], first: 2 });
        const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
        for (const after of [
          'not-a-cursor',
          '!!!',
          '',
          forged([25, 'b']),
          forged({ s: 'age:asc,id:asc', v: [{}, 'b'] }),
          page.endCursor!.slice(0, -3),
        ]) {
          await expect(store.find('people', { sort: [{ field: 'age' }], after }), after).rejects.toThrow(
            /invalid cursor/,
          );
        }
        await expect(
          store.find('people', { sort: [{ field: 'age', direction: 'desc' }], after: page.endCursor! }),
        ).rejects.toThrow(/invalid cursor/);
        await expect(store.find('people', { sort: [{ field: 'name' }], after: page.endCursor! })).rejects.toThrow(
          /invalid cursor/,
        );
      });
    });
  });
}
