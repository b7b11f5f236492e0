import type { FieldCondition, Filter, Scalar, SortKey } from './read-store.js';

/**
 * What every read store adapter reads the same way before translating it
 * into its own query language: which names are allowed, what a filter
 * entry means, and which sort a find really runs. Names are checked here
 * because they are the only text an adapter puts into a query (SQL, or a
 * MongoDB field path, where `$` or an empty segment would be an operator or
 * an error); every value travels as a parameter.
 */
const NAME = /^[a-z][a-z0-9_]{0,62}$/;
const FIELD = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const OPERATORS = new Set(['eq', 'ne', 'in', 'gt', 'gte', 'lt', 'lte']);

export function checkCollectionName(collection: string): void {
  if (typeof collection !== 'string' || !NAME.test(collection))
    throw new Error(`invalid collection name ${JSON.stringify(collection)}`);
}

export function checkIndexName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) throw new Error(`invalid index name ${JSON.stringify(name)}`);
}

export function checkFieldPath(field: string): void {
  if (typeof field !== 'string' || !FIELD.test(field)) throw new Error(`invalid field path ${JSON.stringify(field)}`);
}

/** A filter value: a string, a finite number or a boolean (null is handled by each operator). */
export function checkValue(field: string, value: unknown): string | number | boolean {
  if (typeof value === 'boolean' || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)))
    return value;
  throw new Error(`filter on "${field}": expected a string, a finite number or a boolean`);
}

export type Term =
  | { field: string; op: 'eq' | 'ne'; value: Scalar }
  | { field: string; op: 'in'; values: (string | number | boolean)[]; withNull: boolean }
  | { field: string; op: 'gt' | 'gte' | 'lt' | 'lte'; value: string | number };

/**
 * A filter as a list of checked terms, all of which must hold. A bare
 * scalar is `eq`. Operators whose value is undefined are ignored
 * (`{ gte: from, lte: to }` with optional bounds); an entry that is
 * undefined itself, or an unknown operator, is refused so a mistyped filter
 * never silently matches everything. `eq null` matches a missing or null
 * field, `ne` also matches missing and null fields, and ranges match values
 * of their own type only (a numeric bound never matches text).
 */
export function filterTerms(filter: Filter): Term[] {
  const terms: Term[] = [];
  for (const [field, entry] of Object.entries(filter)) {
    checkFieldPath(field);
    if (entry === undefined) throw new Error(`filter on "${field}" is undefined`);
    const condition: FieldCondition = entry !== null && typeof entry === 'object' ? entry : { eq: entry };
    for (const [op, value] of Object.entries(condition)) {
      if (!OPERATORS.has(op)) throw new Error(`filter on "${field}": unknown condition "${op}"`);
      if (value === undefined) continue;
      switch (op) {
        case 'eq':
        case 'ne':
          terms.push({ field, op, value: value === null ? null : checkValue(field, value) });
          break;
        case 'in': {
          if (!Array.isArray(value)) throw new Error(`filter on "${field}": "in" takes an array`);
          const values = (value as Scalar[]).filter((v) => v !== null).map((v) => checkValue(field, v));
          terms.push({ field, op, values, withNull: values.length < value.length });
          break;
        }
        default: {
          if (typeof value !== 'string' && typeof value !== 'number')
            throw new Error(`filter on "${field}": "${op}" takes a number or a string`);
          terms.push({
            field,
            op: op as 'gt' | 'gte' | 'lt' | 'lte',
            value: checkValue(field, value) as string | number,
          });
        }
      }
    }
  }
  return terms;
}

/** Fields a filter pins to a single value: sorting by them is a no-op. */
export const pinnedFields = (terms: readonly Term[]): Set<string> =>
  new Set(terms.filter((t) => t.op === 'eq').map((t) => t.field));

/**
 * The sort a find really runs: the requested keys up to and including `id`
 * (ids are unique, so nothing after `id` matters), `id` ascending appended
 * when absent, repeated fields and fields the filter pins to one value left
 * out (they order nothing, and keeping them stops a store from reading an
 * index in order). Cursors carry this sort, so every adapter must agree on it.
 */
export function effectiveSort(sort: readonly SortKey[], constant: ReadonlySet<string>): SortKey[] {
  const keys: SortKey[] = [];
  const seen = new Set<string>();
  for (const key of [...sort, { field: 'id', direction: 'asc' as const }]) {
    checkFieldPath(key.field);
    if (key.direction !== undefined && key.direction !== 'asc' && key.direction !== 'desc')
      throw new Error(`sort on "${key.field}": direction must be asc or desc`);
    if (seen.has(key.field) || (key.field !== 'id' && constant.has(key.field))) continue;
    seen.add(key.field);
    keys.push({ field: key.field, direction: key.direction ?? 'asc' });
    if (key.field === 'id') break;
  }
  return keys;
}
