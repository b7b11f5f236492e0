import { describe, expect, it } from 'vitest';
import type { WriteOp } from '../../../src/projections/read-store.js';
import { bulkGroups } from '../../../src/projections/mongodb/mongo-bulk.js';

const stored = (collection: string) => `doc_${collection}`;
const shape = (ops: WriteOp[]) => bulkGroups(ops, stored).map((g) => [g.collection, g.ops.length, g.ordered]);

// What a MongoDB write costs in round trips; the contract suite (when MONGODB_URL is set) checks what it does.
describe('MongoDB bulk writes', () => {
  it("a projection's batch, each document touched once, is one unordered bulkWrite per collection", () => {
    const ops: WriteOp[] = [
      { kind: 'upsert', collection: 'offers', doc: { id: 'o1' } },
      { kind: 'upsert', collection: 'publishers', doc: { id: 'p1' } },
      { kind: 'delete', collection: 'offers', id: 'o2' },
      { kind: 'patch', collection: 'publishers', id: 'p2', set: { name: 'x' } },
      { kind: 'upsert', collection: 'offers', doc: { id: 'o3' } },
    ];
    expect(shape(ops)).toEqual([
      ['doc_offers', 3, false],
      ['doc_publishers', 2, false],
    ]);
  });

  it('a batch touching a document twice keeps its order: ordered runs per collection', () => {
    const ops: WriteOp[] = [
      { kind: 'delete', collection: 'people', id: 'a' },
      { kind: 'upsert', collection: 'people', doc: { id: 'a', n: 1 } },
      { kind: 'upsert', collection: 'places', doc: { id: 'p' } },
      { kind: 'patch', collection: 'people', id: 'a', set: { n: 2 } },
    ];
    expect(shape(ops)).toEqual([
      ['doc_people', 2, true],
      ['doc_places', 1, true],
      ['doc_people', 1, true],
    ]);
  });

  it('a patch that sets nothing costs nothing, and a bad operation is refused before any call', () => {
    expect(shape([{ kind: 'patch', collection: 'people', id: 'a', set: {} }])).toEqual([]);
    expect(() => bulkGroups([{ kind: 'upsert', collection: 'people', doc: { id: 'a' } }, { kind: 'patch', collection: 'people', id: 'a', set: { $where: 1 } }], stored)).toThrow(/field/);
  });
});
