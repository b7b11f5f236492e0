import type { Document } from 'mongodb';
import { checkIndexName } from '../query-terms.js';
import type { IndexSpec } from '../read-store.js';
import { mongoPath } from './mongo-query.js';

export interface MongoIndex {
  name: string;
  key: Document;
  unique: boolean;
  /** a unique index's partialFilterExpression; undefined for the others */
  partial: Document | undefined;
}

/**
 * The scalar types a unique index covers. Null and missing fields are left
 * out, as SQLite's unique indexes leave out NULL (a JSON null or a missing
 * field alike): two documents without the value never collide. `$exists`
 * would not do: it matches an explicit null.
 */
const UNIQUE_TYPES = ['number', 'string', 'bool'];

/**
 * A declared index as MongoDB creates it. A non-unique index ends with
 * `_id`, the tie-breaker of every sort, so a find sorted like the index
 * reads it in order. A unique index covers only documents that hold a
 * value in every one of its fields.
 */
export function mongoIndex(index: IndexSpec): MongoIndex {
  checkIndexName(index.name);
  if (index.fields.length === 0) throw new Error(`index "${index.name}" has no fields`);
  const key: Document = {};
  for (const f of index.fields) {
    if (f.direction !== undefined && f.direction !== 'asc' && f.direction !== 'desc')
      throw new Error(`"${f.field}": direction must be asc or desc`);
    key[mongoPath(f.field)] = f.direction === 'desc' ? -1 : 1;
  }
  if (!index.unique && !('_id' in key)) key['_id'] = 1;
  const partial = index.unique
    ? Object.fromEntries(Object.keys(key).map((path) => [path, { $type: UNIQUE_TYPES }]))
    : undefined;
  return { name: index.name, key, unique: index.unique === true, partial };
}

/** Whether an index listIndexes reports is the one declared; one that differs is rebuilt. */
export function sameIndex(existing: Document | undefined, spec: MongoIndex): boolean {
  return (
    existing !== undefined &&
    JSON.stringify(Object.entries(existing['key'] as Document)) === JSON.stringify(Object.entries(spec.key)) &&
    (existing['unique'] === true) === spec.unique &&
    JSON.stringify(existing['partialFilterExpression'] ?? null) === JSON.stringify(spec.partial ?? null)
  );
}
