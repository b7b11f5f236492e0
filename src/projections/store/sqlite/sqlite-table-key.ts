import type Database from 'better-sqlite3';
import { checkFieldPath } from '../query-terms.js';
import type { IndexSpec } from '../read-store.js';
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
