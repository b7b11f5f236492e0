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
 *
 * A retired table (./retired-tables.ts) keeps its indexes' names until it
 * is erased, and SQLite renames no index: while it holds `<table>__<index>`,
 * the index is built as `<table>__<index>_r<n>` (the first free n) and is
 * found under that name afterwards, rather than dropping the retired one
 * (zeroing it all) on the rebuild's path.
 */
export function ensureIndexes(
  db: Database.Database,
  table: string,
  indexes: readonly IndexSpec[],
  columns: Columns,
  key?: string,
): void {
  const declared = indexes.map((index) => {
    checkIndexName(index.name);
    if (index.fields.length === 0) throw new Error(`index "${index.name}" has no fields`);
    const keys = index.fields.map((f) => `${fieldExpr(f.field, columns)} ${direction(f)}`);
    if (!index.unique && !index.fields.some((f) => f.field === 'id' || f.field === key)) keys.push('id ASC');
    const base = `${table}__${index.name}`;
    return {
      base,
      sql: (name: string) => `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${name} ON ${table} (${keys.join(', ')})`,
    };
  });
  const onTable = new Map(
    db
      .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
      .raw()
      .all(table) as [string, string][],
  );
  const taken = db.prepare('SELECT tbl_name FROM sqlite_master WHERE name = ?').pluck();
  const kept = new Set<string>();
  for (const { base, sql } of declared) {
    const named = (n: number) => (n === 0 ? base : `${base}_r${n}`);
    const [found] = [...onTable].find(([name, current]) => sameBase(name, base) && current === sql(name)) ?? [];
    if (found !== undefined) {
      kept.add(found);
      continue;
    }
    let n = 0;
    while (![undefined, table].includes(taken.get(named(n)) as string | undefined)) n++; // held by a retired table
    const name = named(n);
    db.transaction(() => {
      if (onTable.has(name)) db.exec(`DROP INDEX ${name}`); // declared otherwise before
      db.exec(sql(name));
    })();
    kept.add(name);
  }
  // A promote's staged names, and this table's older versions of a declared index.
  for (const leftover of [...onTable.keys()].filter((n) => !kept.has(n)))
    if (!leftover.startsWith(`${table}__`) || declared.some(({ base }) => sameBase(leftover, base)))
      db.exec(`DROP INDEX ${leftover}`);
}

/** `name` is the declared index `base` under its own name or one it took while a retired table held it. */
const sameBase = (name: string, base: string): boolean =>
  name === base || (name.startsWith(`${base}_r`) && /^\d+$/.test(name.slice(base.length + 2)));

const direction = (key: SortKey): string => {
  if (key.direction !== undefined && key.direction !== 'asc' && key.direction !== 'desc')
    throw new Error(`"${key.field}": direction must be asc or desc`);
  return key.direction === 'desc' ? 'DESC' : 'ASC';
};
