import type Database from 'better-sqlite3';
import type { Doc, IndexSpec } from '../read-store.js';
import { columnName, type Columns } from './sql-filter.js';

/**
 * The fields a collection's indexes name are stored twice: in the JSON
 * body, and each in a column of its own (`"f.<path>"`, declared without a
 * type), which the indexes, filters and sorts read instead of
 * json_extract(). An index over plain columns is smaller and cheaper to
 * keep up (SQLite no longer parses the body once per index and row) and to
 * build in one pass after a bulk load (../../runner/replay.ts).
 *
 * The invariant every write keeps: a column holds exactly what
 * json_extract(body, '$.<path>') returns (text, an integer or a real, NULL;
 * true/false as 1/0; an object or array as its JSON text), so a query means
 * the same whether it reads a column or the body.
 */

/** The fields `indexes` name, sorted (the order of the columns): each gets a column. */
export function indexedFields(indexes: readonly IndexSpec[]): string[] {
  return [...new Set(indexes.flatMap((index) => index.fields.map((f) => f.field)))]
    .filter((field) => field !== 'id')
    .sort();
}

/** The fields `table` stores in columns of their own (an absent table has none). */
export function tableColumns(db: Database.Database, table: string): Columns {
  const names = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[];
  return new Set(names.filter((name) => name.startsWith('f.')).map((name) => name.slice(2)));
}

/**
 * Adds a column for each of `fields` the table lacks, filled from the
 * bodies already there, in one transaction; answers whether it added any
 * (other connections must then forget what they knew of the table).
 */
export function ensureColumns(db: Database.Database, table: string, fields: readonly string[]): boolean {
  const present = tableColumns(db, table);
  const missing = fields.filter((field) => !present.has(field));
  if (missing.length === 0) return false;
  db.transaction(() => {
    for (const field of missing) db.exec(`ALTER TABLE ${table} ADD COLUMN ${columnName(field)}`);
    db.exec(`UPDATE ${table} SET ${refreshColumns(missing)}`);
  })();
  return true;
}

/** `SET` assignments that recompute the columns from the body (after a patch changed it in SQL). */
export const refreshColumns = (fields: Iterable<string>): string =>
  [...fields].map((field) => `${columnName(field)} = json_extract(body, '$.${field}')`).join(', ');

const paths = new Map<string, readonly string[]>();
const segmentsOf = (field: string): readonly string[] => {
  let segments = paths.get(field);
  if (!segments) paths.set(field, (segments = field.split('.')));
  return segments;
};

/** The value of `field` in `doc` as json_extract reads it from the document's JSON (see the invariant above). */
export function columnValue(doc: Doc, field: string): string | number | bigint | null {
  let value: unknown = doc;
  for (const segment of segmentsOf(field)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, segment))
      return null;
    value = (value as Record<string, unknown>)[segment];
  }
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? 1 : 0;
    case 'number':
      // JSON has no NaN or Infinity (it writes null); an integer is bound as one, as json_extract returns it
      return !Number.isFinite(value) ? null : Number.isSafeInteger(value) ? BigInt(value) : value;
    case 'object':
      return value === null ? null : JSON.stringify(value);
    default:
      return null; // undefined, functions: JSON leaves them out
  }
}
