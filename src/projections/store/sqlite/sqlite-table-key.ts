import type Database from 'better-sqlite3';
import { checkFieldPath } from '../query-terms.js';
import type { Doc, IndexSpec } from '../read-store.js';
import { columnName, type Columns } from './sql-filter.js';
import { tableColumns } from './sqlite-columns.js';

/**
 * A keyed collection (CollectionOptions `key`, e.g. the audit trail's
 * `position`) is a table whose integer primary key is the key field's
 * column: `doc_<name>("f.<key>" INTEGER PRIMARY KEY, id TEXT NOT NULL,
 * body TEXT NOT NULL, ...)`. That column is SQLite's rowid, so
 *
 * - rows appended in key order go to the end of the table, and a rebuild
 *   writes no text key index row by row;
 * - an index naming the key ends with it, an integer, instead of the
 *   36-character id: once the index's order reaches the key, SQLite knows
 *   each row apart and treats the `id` tie-breaker of every sort as
 *   satisfied (no sort step);
 * - the id keeps a unique index of its own (`<table>__id`), built after a
 *   bulk load with the other indexes, so reads by id stay lookups.
 *
 * The column keeps ./sqlite-columns.ts's invariant (it holds what
 * json_extract reads from the body); being the rowid, it accepts integers
 * only, which is why the key must be an integer field.
 */

/** What a connection knows of a collection's table: the fields it stores in columns, and the field it is keyed by. */
export interface TableShape {
  columns: Columns;
  key: string | undefined;
}

/** The index every keyed table has on its ids (an unkeyed table's id is its primary key). */
export const ID_INDEX: IndexSpec = { name: 'id', fields: [{ field: 'id' }], unique: true };

/** The field `table` is keyed by, undefined for a table keyed by its text id. */
export function tableKey(db: Database.Database, table: string): string | undefined {
  const name = db
    .prepare("SELECT name FROM pragma_table_info(?) WHERE pk = 1 AND upper(type) = 'INTEGER'")
    .pluck()
    .get(table) as string | undefined;
  return name?.startsWith('f.') ? name.slice(2) : undefined;
}

const keyedTableSql = (table: string, key: string, others: readonly string[]): string =>
  `CREATE TABLE ${table} (${[`${columnName(key)} INTEGER PRIMARY KEY`, 'id TEXT NOT NULL', 'body TEXT NOT NULL', ...others.map(columnName)].join(', ')})`;

/**
 * Makes `table` keyed by `key`: creates it if absent, or, in one
 * transaction, copies a table keyed otherwise into a keyed one in its place
 * (its indexes go with the old table: the caller builds them again). Refuses,
 * changing nothing, when a document has no integer `key`. Answers whether it
 * created or replaced the table.
 */
export function ensureKey(db: Database.Database, table: string, key: string): boolean {
  checkFieldPath(key);
  if (key === 'id') throw new Error('a collection keyed by "id" is keyed by its id already: give an integer field');
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(table);
  if (exists === undefined) {
    db.exec(keyedTableSql(table, key, []));
    return true;
  }
  if (tableKey(db, table) === key) return false;
  db.transaction(() => {
    const keyOf = `json_extract(body, '$.${key}')`;
    const unkeyed = db.prepare(`SELECT count(*) FROM ${table} WHERE typeof(${keyOf}) != 'integer'`).pluck().get();
    if (unkeyed !== 0)
      throw new Error(`${table}: ${String(unkeyed)} documents have no integer "${key}" to key them by`);
    const others = [...tableColumns(db, table)].filter((field) => field !== key);
    const copied = ['id', 'body', ...others.map(columnName)].join(', ');
    const next = `${table}__keyed`;
    db.exec(`DROP TABLE IF EXISTS ${next}`);
    db.exec(keyedTableSql(next, key, others));
    db.exec(`INSERT INTO ${next} (${columnName(key)}, ${copied}) SELECT ${keyOf}, ${copied} FROM ${table} ORDER BY 1`);
    db.exec(`DROP TABLE ${table}`);
    db.exec(`ALTER TABLE ${next} RENAME TO ${table}`);
  })();
  return true;
}

/*
 * A keyed table's body leaves out what its columns hold exactly: the id,
 * and each top-level field stored in a column whose value is text or a
 * safe integer (the key among them), read back from the column as it was
 * written. That is about a third of an audit entry's row, and every page
 * less is one less to write, to index and, with secure_delete, to zero when
 * the table is dropped. Any other value (true, null, an object, a real)
 * stays in the body too, and the body wins: a field is taken from its
 * column only when the body lacks it. Bodies written whole (before a
 * column existed, copied by ensureKey, or patched: a patch puts the fields
 * back first) read the same.
 */

const keptApart = (value: unknown): boolean =>
  typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value));

/** The top-level fields of a keyed table's columns (`apart` in the reads and writes below). */
const apartCache = new WeakMap<Columns, string[]>();
export function apartFields(columns: Columns): string[] {
  let fields = apartCache.get(columns);
  if (!fields) apartCache.set(columns, (fields = [...columns].filter((field) => !field.includes('.'))));
  return fields;
}

/** The JSON body a keyed table stores for `doc`: without its id and the fields its columns hold exactly. */
export function compactBody(doc: Doc, columns: Columns): string {
  const body: Record<string, unknown> = {};
  for (const name of Object.keys(doc)) {
    const value = doc[name];
    if (name === 'id' || (columns.has(name) && keptApart(value))) continue;
    body[name] = value;
  }
  return JSON.stringify(body);
}

/** Statements (each taking the id) that put the fields kept apart back into a row's body, before a patch. */
export const wholeBodySql = (table: string, columns: Columns): string[] =>
  apartFields(columns).map(
    (field) =>
      `UPDATE ${table} SET body = json_set(body, '$.${field}', ${columnName(field)}) WHERE id = ? AND ${columnName(field)} IS NOT NULL AND json_type(body, '$.${field}') IS NULL`,
  );

/** A row of a document read: id, body, then the columns of the fields kept apart. */
export type DocumentRow = [id: string, body: string, ...apart: unknown[]];

/**
 * The columns a document read selects, and, for a keyed table, how a row
 * becomes its document: the id, the fields kept apart (non-NULL), then the
 * body's own.
 */
export function documentColumns(shape: TableShape | undefined): {
  selected: string;
  parser?: (row: DocumentRow) => (body: string) => Doc;
} {
  const apart = shape?.key === undefined ? [] : apartFields(shape.columns);
  const selected = ['id', 'body', ...apart.map(columnName)].join(', ');
  if (apart.length === 0) return { selected };
  return {
    selected,
    parser: (row) => (body) => {
      const doc: Record<string, unknown> = { id: row[0] };
      for (let i = 0; i < apart.length; i++) if (row[i + 2] !== null) doc[apart[i]!] = row[i + 2];
      return Object.assign(doc, JSON.parse(body) as Record<string, unknown>) as Doc;
    },
  };
}
