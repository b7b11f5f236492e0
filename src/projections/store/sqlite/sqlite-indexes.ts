import type Database from 'better-sqlite3';
import { checkIndexName } from '../query-terms.js';
import type { IndexSpec, SortKey } from '../read-store.js';
import { fieldExpr, type Columns } from './sql-filter.js';

/**
 * Creates each declared index of a collection's table as
 * `<table>__<index>`. A non-unique index ends with `id`, the tie-breaker
 * of every sort, so a find sorted like the index reads it in order and
 * never sorts; or, in a table keyed by an integer field, with that key
 * when it names it (./sqlite-table-key.ts), which tells rows apart as well. Fields stored in columns (./sqlite-columns.ts) are indexed
 * as those columns. An index whose declaration changed is rebuilt. Indexes a
 * promote brought along under a staged table's name are dropped once the
 * declared ones exist.
 */
export function ensureIndexes(
  db: Database.Database,
  table: string,
  indexes: readonly IndexSpec[],
  columns: Columns,
  key?: string,
): void {
  const statements = indexes.map((index) => {
    checkIndexName(index.name);
    if (index.fields.length === 0) throw new Error(`index "${index.name}" has no fields`);
    const keys = index.fields.map((f) => `${fieldExpr(f.field, columns)} ${direction(f)}`);
    if (!index.unique && !index.fields.some((f) => f.field === 'id' || f.field === key)) keys.push('id ASC');
    const name = `${table}__${index.name}`;
    return { name, sql: `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${name} ON ${table} (${keys.join(', ')})` };
  });
  const existing = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").pluck();
  for (const { name, sql } of statements) {
    const current = existing.get(name);
    if (current === sql) continue;
    db.transaction(() => {
      if (current !== undefined) db.exec(`DROP INDEX ${name}`);
      db.exec(sql);
    })();
  }
  const names = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
    .pluck()
    .all(table) as string[];
  for (const leftover of names.filter((n) => !n.startsWith(`${table}__`))) db.exec(`DROP INDEX ${leftover}`);
}

const direction = (key: SortKey): string => {
  if (key.direction !== undefined && key.direction !== 'asc' && key.direction !== 'desc')
    throw new Error(`"${key.field}": direction must be asc or desc`);
  return key.direction === 'desc' ? 'DESC' : 'ASC';
};
