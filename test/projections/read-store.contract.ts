import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Doc, FindQuery, ReadStore } from '../../src/projections/read-store.js';

export type ReadStoreFactory = () => Promise<{ store: ReadStore; cleanup(): Promise<void> }>;

const people: Doc[] = [
  { id: 'a', name: 'Ann', age: 31, city: 'Beijing', tags: ['x'], address: { zip: '100000' } },
  { id: 'b', name: 'Bo', age: 25, city: 'Shanghai', address: { zip: '200000' } },
  { id: 'c', name: 'Chen', age: 31, city: 'Beijing', address: { zip: '100001' } },
  { id: 'd', name: 'Dai', age: 40, city: null, address: { zip: '300000' } },
  { id: 'e', name: 'Eve', age: 9, address: { zip: '400000' } },
];

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

    const ids = async (query: FindQuery) => (await store.find('people', query)).items.map((d) => d.id);

    async function pageThrough(query: FindQuery): Promise<string[]> {
      const seen: string[] = [];
      let after: string | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const page = await store.find('people', { ...query, ...(after ? { after } : {}) });
        seen.push(...page.items.map((d) => d.id));
        if (!page.hasNextPage) return seen;
        after = page.endCursor!;
      }
      throw new Error('pagination did not end');
    }

    it('documents round-trip exactly, unicode and nesting included', async () => {
      const doc = { id: 'u', text: '统一社会信用代码 ✓', nested: { list: [1, 'two', null, { deep: true }] }, n: 1.5, f: false };
      await store.write([{ kind: 'upsert', collection: 'people', doc }]);
      expect(await store.get('people', 'u')).toEqual(doc);
    });

    it('getMany answers in the order asked, with null where absent and repeats allowed', async () => {
      const found = await store.getMany('people', ['c', 'zz', 'a', 'c']);
      expect(found.map((d) => d?.id ?? null)).toEqual(['c', null, 'a', 'c']);
    });

    it('a missing document reads as null, in a collection never written as well', async () => {
      expect(await store.get('people', 'nobody')).toBeNull();
      expect(await store.get('never_written', 'x')).toBeNull();
      expect((await store.find('never_written')).items).toEqual([]);
    });

    it('upsert replaces the whole document; patch sets dotted paths; delete removes', async () => {
      await store.write([
        { kind: 'upsert', collection: 'people', doc: { id: 'a', name: 'Ann B.' } },
        { kind: 'patch', collection: 'people', id: 'b', set: { 'address.city.district': 'Pudong', age: 26 } },
        { kind: 'patch', collection: 'people', id: 'nobody', set: { age: 1 } },
        { kind: 'delete', collection: 'people', id: 'c' },
        { kind: 'delete', collection: 'people', id: 'nobody' },
      ]);
      expect(await store.get('people', 'a')).toEqual({ id: 'a', name: 'Ann B.' });
      expect(await store.get('people', 'b')).toMatchObject({ age: 26, address: { zip: '200000', city: { district: 'Pudong' } } });
      expect(await store.get('people', 'c')).toBeNull();
      expect(await store.get('people', 'nobody')).toBeNull();
    });

    it("a projection's writes and its checkpoint commit together", async () => {
      expect(await store.getCheckpoint('p')).toBeNull();
      await store.write([{ kind: 'upsert', collection: 'people', doc: { id: 'f', name: 'Fu' } }], { name: 'p', position: 42 });
      expect(await store.getCheckpoint('p')).toBe(42);
      expect(await store.listCheckpoints()).toEqual([{ name: 'p', position: 42 }]);
    });

    it('a failing batch applies nothing: neither its earlier writes nor its checkpoint', async () => {
      await store.write([], { name: 'p', position: 1 });
      await expect(
        store.write(
          [
            { kind: 'upsert', collection: 'people', doc: { id: 'g', name: 'Gao' } },
            { kind: 'upsert', collection: 'Bad Name!', doc: { id: 'h' } },
          ],
          { name: 'p', position: 2 },
        ),
      ).rejects.toThrow();
      expect(await store.get('people', 'g')).toBeNull();
      expect(await store.getCheckpoint('p')).toBe(1);
    });

    it('reset drops the collections and the checkpoint together', async () => {
      await store.write([], { name: 'p', position: 9 });
      await store.reset('p', ['people']);
      expect(await store.getCheckpoint('p')).toBeNull();
      expect(await store.count('people')).toBe(0);
    });

    it('filters by equality, in, not-equal and ranges, combined with AND', async () => {
      expect(await ids({ filter: { city: 'Beijing' } })).toEqual(['a', 'c']);
      expect(await ids({ filter: { age: { in: [25, 40] } } })).toEqual(['b', 'd']);
      expect(await ids({ filter: { age: { in: [] } } })).toEqual([]);
      expect(await ids({ filter: { age: { gte: 25, lt: 40 } } })).toEqual(['a', 'b', 'c']);
      expect(await ids({ filter: { age: { gt: 9 }, city: 'Beijing', name: { ne: 'Ann' } } })).toEqual(['c']);
      expect(await ids({ filter: { 'address.zip': { gte: '200000' } } })).toEqual(['b', 'd', 'e']);
    });

    it('numbers compare as numbers, not as text', async () => {
      expect(await ids({ filter: { age: { lt: 10 } } })).toEqual(['e']);
    });

    it('null equality matches missing and null fields', async () => {
      expect(await ids({ filter: { city: null } })).toEqual(['d', 'e']);
    });

    it('counts what a filter matches', async () => {
      expect(await store.count('people')).toBe(5);
      expect(await store.count('people', { age: 31 })).toBe(2);
    });

    it('sorts by fields in either direction with the id as the last tie-breaker', async () => {
      expect(await ids({ sort: [{ field: 'age', direction: 'desc' }] })).toEqual(['d', 'a', 'c', 'b', 'e']);
      expect(await ids({ sort: [{ field: 'age' }] })).toEqual(['e', 'b', 'a', 'c', 'd']);
    });

    it('paging through any sort yields every document once, in order, nulls and ties included', async () => {
      for (const sort of [
        [{ field: 'age', direction: 'desc' as const }],
        [{ field: 'age', direction: 'asc' as const }],
        [{ field: 'city', direction: 'asc' as const }, { field: 'name', direction: 'desc' as const }],
        [{ field: 'city', direction: 'desc' as const }],
      ]) {
        const all = await ids({ sort, first: 100 });
        expect(all).toHaveLength(5);
        expect(await pageThrough({ sort, first: 2 }), JSON.stringify(sort)).toEqual(all);
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

    it('a page reports whether another follows', async () => {
      const page = await store.find('people', { first: 5 });
      expect(page.hasNextPage).toBe(false);
      expect((await store.find('people', { first: 4 })).hasNextPage).toBe(true);
      expect((await store.find('people', { filter: { age: 1000 } })).endCursor).toBeNull();
    });

    it('a malformed cursor or page size is refused clearly', async () => {
      await expect(store.find('people', { after: 'not-a-cursor' })).rejects.toThrow(/cursor/);
      await expect(store.find('people', { first: 0 })).rejects.toThrow();
      await expect(store.find('people', { first: 1001 })).rejects.toThrow();
    });

    it('names that could reach the query language are refused', async () => {
      await expect(store.find('people', { filter: { "name') OR 1=1 --": 'x' } })).rejects.toThrow(/field/);
      await expect(store.get('people; DROP TABLE x', 'a')).rejects.toThrow(/collection/);
    });
  });
}
