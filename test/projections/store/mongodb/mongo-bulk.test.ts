import { describe, expect, it } from 'vitest';
import type { WriteOp } from '../../../../src/projections/store/read-store.js';
import { bulkGroups } from '../../../../src/projections/store/mongodb/mongo-bulk.js';

const stored = (collection: string) => `doc_${collection}`;
const shape = (ops: WriteOp[]) => bulkGroups(ops, stored).map((g) => [g.collection, g.ops.length]);

// What a MongoDB write costs in round trips; the contract suite (when MONGODB_URL is set) checks what it does.
describe('MongoDB bulk writes', () => {
  it("a projection's batch is one bulkWrite per collection", () => {
    const ops: WriteOp[] = [
      { kind: 'upsert', collection: 'offers', doc: { id: 'o1' } },
      { kind: 'upsert', collection: 'publishers', doc: { id: 'p1' } },
      { kind: 'delete', collection: 'offers', id: 'o2' },
      { kind: 'patch', collection: 'publishers', id: 'p2', set: { name: 'x' } },
      { kind: 'upsert', collection: 'offers', doc: { id: 'o3' } },
    ];
    expect(shape(ops)).toEqual([
      ['doc_offers', 3],
      ['doc_publishers', 2],
    ]);
  });

  it('a delete keeps its place before the upsert that follows it (the bulkWrite is ordered: unordered runs updates before deletes)', () => {
    const [group] = bulkGroups(
      [
        { kind: 'delete', collection: 'accounts', id: 'a' },
        { kind: 'upsert', collection: 'accounts', doc: { id: 'b', email: 'a@example.cn' } },
      ],
      stored,
    );
    expect(group!.ordered).toBe(true);
    expect(group!.ops.map((op) => Object.keys(op)[0])).toEqual(['deleteOne', 'replaceOne']);
  });

  it('a patch removes the fields it sets to undefined instead of storing null', () => {
    const [group] = bulkGroups(
      [{ kind: 'patch', collection: 'people', id: 'a', set: { email: undefined, name: 'x' } }],
      stored,
    );
    expect(group!.ops[0]).toEqual({
      updateOne: { filter: { _id: 'a' }, update: { $set: { name: 'x' }, $unset: { email: '' } } },
    });
  });

  it('a patch that sets nothing costs nothing, and a bad operation is refused before any call', () => {
    expect(shape([{ kind: 'patch', collection: 'people', id: 'a', set: {} }])).toEqual([]);
    expect(() =>
      bulkGroups(
        [
          { kind: 'upsert', collection: 'people', doc: { id: 'a' } },
          { kind: 'patch', collection: 'people', id: 'a', set: { $where: 1 } },
        ],
        stored,
      ),
    ).toThrow(/field/);
  });
});
