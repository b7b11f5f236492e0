import type { FieldCondition, Filter, Scalar, SortKey } from '../read-store.js';

/**
 * Filters, sorts and cursors as SQL over `doc_<collection>(id, body)`.
 * Collection and field names are the only text interpolated into SQL, and
 * only after matching the patterns below; every value is a bound parameter.
 *
 * A field is `json_extract(body, '$.<path>')`, spelled exactly as in the
 * expression indexes so that SQLite can use them; `id` is the key column.
 * json_extract returns typed values (INTEGER/REAL, TEXT, NULL; true/false
 * become 1/0), and neither side of a comparison has a column affinity, so a
 * number compares with a number numerically and "31" never equals 31.
 * SQLite orders NULL < numbers < text, which is the order of ORDER BY and of
 * the cursor predicates alike: nulls (and missing fields) first ascending,
 * last descending.
 */
const COLLECTION = /^[a-z][a-z0-9_]{0,62}$/;
const FIELD = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const OPERATORS = new Set(['eq', 'ne', 'in', 'gt', 'gte', 'lt', 'lte']);
/** -Infinity: below every number and text, so `x >= NOT_NULL` is an index-friendly `x IS NOT NULL`. */
const NOT_NULL = '-9e999';

export function tableName(collection: string): string {
  if (typeof collection !== 'string' || !COLLECTION.test(collection)) throw new Error(`invalid collection name ${JSON.stringify(collection)}`);
  return `doc_${collection}`;
}

export function checkIndexName(name: string): void {
  if (typeof name !== 'string' || !COLLECTION.test(name)) throw new Error(`invalid index name ${JSON.stringify(name)}`);
}

export function checkFieldPath(field: string): void {
  if (typeof field !== 'string' || !FIELD.test(field)) throw new Error(`invalid field path ${JSON.stringify(field)}`);
}

export function fieldExpr(field: string): string {
  checkFieldPath(field);
  return field === 'id' ? 'id' : `json_extract(body, '$.${field}')`;
}

/** A value as SQLite sees it in a document: booleans are 1 and 0. */
function param(field: string, value: unknown): string | number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return value;
  throw new Error(`filter on "${field}": expected a string, a finite number or a boolean`);
}

export interface Clause {
  terms: string[];
  params: unknown[];
}

export interface FilterSql extends Clause {
  /** fields the filter pins to a single value: sorting by them is a no-op */
  constant: Set<string>;
}

/**
 * Every entry must hold (AND). A bare scalar is `eq`. Operators whose value
 * is undefined are ignored (`{ gte: from, lte: to }` with optional bounds);
 * an entry that is undefined itself, or an unknown operator, is refused so a
 * mistyped filter never silently matches everything. Ranges match values of
 * their own type only: a numeric bound never matches text, a text bound
 * never matches numbers.
 */
export function filterSql(filter: Filter): FilterSql {
  const out: FilterSql = { terms: [], params: [], constant: new Set() };
  for (const [field, entry] of Object.entries(filter)) {
    const e = fieldExpr(field);
    if (entry === undefined) throw new Error(`filter on "${field}" is undefined`);
    const c: FieldCondition = entry !== null && typeof entry === 'object' ? entry : { eq: entry };
    for (const [op, value] of Object.entries(c)) {
      if (!OPERATORS.has(op)) throw new Error(`filter on "${field}": unknown condition "${op}"`);
      if (value === undefined) continue;
      switch (op) {
        case 'eq':
          out.constant.add(field);
          if (value === null) out.terms.push(`${e} IS NULL`);
          else (out.terms.push(`${e} = ?`), out.params.push(param(field, value)));
          break;
        case 'ne':
          if (value === null) out.terms.push(`${e} IS NOT NULL`);
          else (out.terms.push(`(${e} IS NULL OR ${e} <> ?)`), out.params.push(param(field, value)));
          break;
        case 'in': {
          if (!Array.isArray(value)) throw new Error(`filter on "${field}": "in" takes an array`);
          // One statement whatever the list's length: the values travel as one JSON array.
          const values = (value as Scalar[]).filter((v) => v !== null).map((v) => param(field, v));
          const list = `${e} IN (SELECT value FROM json_each(?))`;
          if (values.length < value.length) out.terms.push(`(${e} IS NULL OR ${list})`);
          else out.terms.push(value.length === 0 ? '0' : list);
          if (value.length > 0) out.params.push(JSON.stringify(values));
          break;
        }
        default: {
          if (typeof value === 'boolean') throw new Error(`filter on "${field}": "${op}" takes a number or a string`);
          const p = param(field, value);
          const sql = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[op as 'gt' | 'gte' | 'lt' | 'lte'];
          out.terms.push(`${e} ${sql} ?`);
          out.params.push(p);
          // Type bracketing: numbers sort below all text, so bound the other side too.
          if (typeof p === 'number' && (op === 'gt' || op === 'gte')) out.terms.push(`${e} < ''`);
          if (typeof p === 'string' && (op === 'lt' || op === 'lte')) out.terms.push(`${e} >= ''`);
        }
      }
    }
  }
  return out;
}

export interface SqlKey {
  field: string;
  expr: string;
  desc: boolean;
}

/**
 * The sort a find really runs: the requested keys up to and including `id`
 * (ids are unique, so nothing after `id` matters), `id` ascending appended
 * when absent, repeated fields and fields the filter pins to one value left
 * out (they order nothing, and keeping them stops SQLite from reading an
 * index in order).
 */
export function effectiveSort(sort: readonly SortKey[], constant: ReadonlySet<string>): SortKey[] {
  const keys: SortKey[] = [];
  const seen = new Set<string>();
  for (const key of [...sort, { field: 'id', direction: 'asc' as const }]) {
    checkFieldPath(key.field);
    if (key.direction !== undefined && key.direction !== 'asc' && key.direction !== 'desc') throw new Error(`sort on "${key.field}": direction must be asc or desc`);
    if (seen.has(key.field) || (key.field !== 'id' && constant.has(key.field))) continue;
    seen.add(key.field);
    keys.push({ field: key.field, direction: key.direction ?? 'asc' });
    if (key.field === 'id') break;
  }
  return keys;
}

export const sqlKeys = (sort: readonly SortKey[]): SqlKey[] =>
  sort.map((key) => ({ field: key.field, expr: fieldExpr(key.field), desc: key.direction === 'desc' }));

export const orderBy = (keys: readonly SqlKey[]): string =>
  keys.length === 0 ? '' : ` ORDER BY ${keys.map((k) => `${k.expr} ${k.desc ? 'DESC' : 'ASC'}`).join(', ')}`;

/** A slice of the result: extra terms, and the keys still to order by (the ones before are fixed). */
export interface Segment extends Clause {
  orderFrom: number;
}

/**
 * The documents strictly after a cursor, as consecutive slices in sort
 * order, each an equality prefix plus one range that SQLite answers with a
 * single index seek, in order, without sorting. For keys k0..kn and cursor
 * values v0..vn, deepest first: (k0..kn-1 = v, kn after vn), then
 * (k0..kn-2 = v, kn-1 after vn-1), ... then (k0 after v0). "After" follows
 * SQLite's order, NULL lowest: ascending, after v is `> v` (after NULL: any
 * non-null); descending, after v is `< v` and then the NULLs (after NULL:
 * nothing). One OR of all this would be a single query, but SQLite then
 * either sorts every remaining row or stops using the index.
 */
export function afterSegments(keys: readonly SqlKey[], values: readonly Scalar[]): Segment[] {
  const segments: Segment[] = [];
  for (let i = keys.length - 1; i >= 0; i--) {
    const terms: string[] = [];
    const params: unknown[] = [];
    for (let j = 0; j < i; j++) {
      const v = values[j] ?? null;
      if (v === null) terms.push(`${keys[j]!.expr} IS NULL`);
      else (terms.push(`${keys[j]!.expr} = ?`), params.push(param(keys[j]!.field, v)));
    }
    const { expr: e, desc, field } = keys[i]!;
    const v = values[i] ?? null;
    const slice = (term: string, extra: unknown[], orderFrom: number) =>
      segments.push({ terms: [...terms, term], params: [...params, ...extra], orderFrom });
    if (!desc) slice(v === null ? `${e} >= ${NOT_NULL}` : `${e} > ?`, v === null ? [] : [param(field, v)], i);
    else if (v !== null) {
      slice(`${e} < ?`, [param(field, v)], i);
      if (field !== 'id') slice(`${e} IS NULL`, [], i + 1);
    }
  }
  return segments;
}
