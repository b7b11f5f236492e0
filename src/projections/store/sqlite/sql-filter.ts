import { assertNever } from '../../../assert-never.js';
import { checkCollectionName, checkFieldPath, checkValue, filterTerms, pinnedFields } from '../query-terms.js';
import type { Filter, Scalar, SortKey } from '../read-store.js';

/**
 * Filters, sorts and cursors as SQL over `doc_<collection>(id, body)`.
 * Collection and field names are the only text interpolated into SQL, and
 * only after the checks of ../query-terms.ts; every value is a bound parameter.
 *
 * A field is `json_extract(body, '$.<path>')`, or the column that holds
 * that very value when the table has one (`"f.<path>"`, see
 * ./sqlite-columns.ts: the fields its indexes name); `id` is the key column.
 * json_extract returns typed values (INTEGER/REAL, TEXT, NULL; true/false
 * become 1/0), and neither side of a comparison has a column affinity (the
 * columns are declared without a type), so a number compares with a number
 * numerically and "31" never equals 31.
 * SQLite orders NULL < numbers < text, which is the order of ORDER BY and of
 * the cursor predicates alike: nulls (and missing fields) first ascending,
 * last descending.
 */

/** -Infinity: below every number and text, so `x >= NOT_NULL` is an index-friendly `x IS NOT NULL`. */
const NOT_NULL = '-9e999';

/** Collection names come from code: each is checked once, not on every write of a batch. */
const tables = new Map<string, string>();

export function tableName(collection: string): string {
  let table = tables.get(collection);
  if (table === undefined) {
    checkCollectionName(collection);
    tables.set(collection, (table = `doc_${collection}`));
  }
  return table;
}

/** Fields of a table stored in columns of their own (none: every field is read from the JSON body). */
export type Columns = ReadonlySet<string>;

const NO_COLUMNS: Columns = new Set();

/** The column of a field stored apart from the body (the path was checked). */
export const columnName = (field: string): string => `"f.${field}"`;

export function fieldExpr(field: string, columns: Columns = NO_COLUMNS): string {
  checkFieldPath(field);
  if (field === 'id') return 'id';
  return columns.has(field) ? columnName(field) : `json_extract(body, '$.${field}')`;
}

/** A value as SQLite sees it in a document: booleans are 1 and 0. */
function param(field: string, value: unknown): string | number {
  const checked = checkValue(field, value);
  return typeof checked === 'boolean' ? (checked ? 1 : 0) : checked;
}

export interface Clause {
  terms: string[];
  params: unknown[];
}

export interface FilterSql extends Clause {
  /** fields the filter pins to a single value: sorting by them is a no-op */
  constant: Set<string>;
}

/** The filter's terms (src/projections/store/query-terms.ts) as SQL, ANDed. */
export function filterSql(filter: Filter, columns: Columns = NO_COLUMNS): FilterSql {
  const terms = filterTerms(filter);
  const out: FilterSql = { terms: [], params: [], constant: pinnedFields(terms) };
  for (const term of terms) {
    const e = fieldExpr(term.field, columns);
    switch (term.op) {
      case 'eq':
        if (term.value === null) out.terms.push(`${e} IS NULL`);
        else (out.terms.push(`${e} = ?`), out.params.push(param(term.field, term.value)));
        break;
      case 'ne':
        if (term.value === null) out.terms.push(`${e} IS NOT NULL`);
        else (out.terms.push(`(${e} IS NULL OR ${e} <> ?)`), out.params.push(param(term.field, term.value)));
        break;
      case 'in': {
        // One statement whatever the list's length: the values travel as one JSON array.
        const list = `${e} IN (SELECT value FROM json_each(?))`;
        if (term.withNull) out.terms.push(`(${e} IS NULL OR ${list})`);
        else out.terms.push(term.values.length === 0 ? '0' : list);
        if (term.values.length > 0 || term.withNull)
          out.params.push(JSON.stringify(term.values.map((v) => param(term.field, v))));
        break;
      }
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        const p = term.value;
        out.terms.push(`${e} ${{ gt: '>', gte: '>=', lt: '<', lte: '<=' }[term.op]} ?`);
        out.params.push(p);
        // Type bracketing: numbers sort below all text, so bound the other side too.
        if (typeof p === 'number' && (term.op === 'gt' || term.op === 'gte')) out.terms.push(`${e} < ''`);
        if (typeof p === 'string' && (term.op === 'lt' || term.op === 'lte')) out.terms.push(`${e} >= ''`);
        break;
      }
      default:
        assertNever(term);
    }
  }
  return out;
}

export interface SqlKey {
  field: string;
  expr: string;
  desc: boolean;
}

export const sqlKeys = (sort: readonly SortKey[], columns: Columns = NO_COLUMNS): SqlKey[] =>
  sort.map((key) => ({ field: key.field, expr: fieldExpr(key.field, columns), desc: key.direction === 'desc' }));

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
 * either sorts every remaining row or stops using the index. `key`, a
 * keyed table's key (./sqlite-table-key.ts), is never NULL, as `id` is not.
 */
export function afterSegments(keys: readonly SqlKey[], values: readonly Scalar[], key?: string): Segment[] {
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
      if (field !== 'id' && field !== key) slice(`${e} IS NULL`, [], i + 1);
    }
  }
  return segments;
}
