import { describe, expect, it } from 'vitest';
import { mongoIndex, sameIndex } from '../../../../src/projections/store/mongodb/mongo-indexes.js';
import { afterSlices } from '../../../../src/projections/store/mongodb/mongo-query.js';

// The queries the MongoDB adapter sends; the contract suite (when MONGODB_URL is set) checks what they return.
describe('MongoDB cursors and indexes', () => {
  const conditions = (slices: object[]) => slices.map((slice) => Object.values(slice).at(-1));

  it('after a value, ascending, come its greater values and then every later type: none of numbers, strings or booleans is skipped', () => {
    expect(conditions(afterSlices([{ field: 'f' }], [3]))).toEqual([
      { $gt: 3 },
      { $type: 'string' },
      { $type: 'bool' },
    ]);
    expect(conditions(afterSlices([{ field: 'f' }], ['m']))).toEqual([{ $gt: 'm' }, { $type: 'bool' }]);
    expect(conditions(afterSlices([{ field: 'f' }], [false]))).toEqual([{ $gt: false }]);
  });

  it('after a value, descending, come its lesser values and then every earlier type down to the nulls', () => {
    expect(conditions(afterSlices([{ field: 'f', direction: 'desc' }], [true]))).toEqual([
      { $lt: true },
      { $type: 'string' },
      { $type: 'number' },
      { $eq: null },
    ]);
    expect(conditions(afterSlices([{ field: 'f', direction: 'desc' }], [2]))).toEqual([{ $lt: 2 }, { $eq: null }]);
  });

  it('a unique index leaves out documents whose value is null as well as missing, as SQLite does', () => {
    const index = mongoIndex({ name: 'by_email', fields: [{ field: 'email' }], unique: true });
    expect(index.partial).toEqual({ email: { $type: ['number', 'string', 'bool'] } });
    // An index built by an earlier version ($exists, which covers nulls) is rebuilt.
    expect(
      sameIndex({ key: { email: 1 }, unique: true, partialFilterExpression: { email: { $exists: true } } }, index),
    ).toBe(false);
    expect(sameIndex({ key: { email: 1 }, unique: true, partialFilterExpression: index.partial }, index)).toBe(true);
  });
});
