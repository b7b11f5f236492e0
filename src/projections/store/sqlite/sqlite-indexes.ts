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
 * as those columns. An index whose declaration changed is rebuilt.
 *
 * SQLite renames no index: a promoted staged table (./sqlite-promote.ts)
 * brings its indexes under the staged table's names. Each is kept for the
 * declared index it is built like (definition below), whatever its name:
 * building them all again under their own names after an online switch
 * held the thread, and the file's write lock, 12.8–12.9 s for a 1M-entry
 * audit trail. Those it is built like no declared one are dropped.
 *
 * A retired table (./retired-tables.ts) keeps its indexes' names until it
 * is erased: while it holds `<table>__<index>`, the index is built as
 * `<table>__<index>_r<n>` (the first free n) and is found under that name
 * afterwards, rather than dropping the retired one (zeroing it all) on the
 * rebuild's path.
 *
 * An index declared with a descending key (newest first) is stored with
 * every key's order reversed, and SQLite reads it backwards for the sorts
 * it was declared for. Its keys mostly grow as events come (instants,
 * positions, UUID v7 ids), so each entry then goes to the end of its range
 * rather than to the start, where SQLite's page splits left index pages
 * half full: for live batches of 1,700 contact updates (an audit entry and
 * a privacy request record each) the projections wrote an eighth fewer WAL
 * frames, and spent 1–3 µs less CPU per event (of 26–29).
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
    const reversed = index.fields.some((f) => direction(f) === 'DESC');
    const stored = (order: 'ASC' | 'DESC') => (reversed ? (order === 'ASC' ? 'DESC' : 'ASC') : order);
    const keys = index.fields.map((f) => `${fieldExpr(f.field, columns)} ${stored(direction(f))}`);
    if (!index.unique && !index.fields.some((f) => f.field === 'id' || f.field === key))
      keys.push(`id ${stored('ASC')}`);
    const sql = (name: string) =>
      `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${name} ON ${table} (${keys.join(', ')})`;
    return { base: `${table}__${index.name}`, sql, definition: definition(sql(table)) };
  });
  const onTable = new Map(
    (
      db
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
        .raw()
        .all(table) as [string, string][]
    ).map(([name, sql]) => [name, definition(sql)]),
  );
  const ours = (name: string) => name.startsWith(`${table}__`);
  const kept = new Set<string>();
  /** The first index on the table, not kept yet, that is built like `wanted` and whose name `fits`. */
  const find = (wanted: string | undefined, fits: (name: string) => boolean) =>
    wanted === undefined
      ? undefined
      : [...onTable].find(([name, current]) => !kept.has(name) && current === wanted && fits(name))?.[0];
  // Under its own name first; then one a promote brought under another table's name.
  const missing = declared.filter(({ base, definition }) => {
    const found = find(definition, (name) => sameBase(name, base));
    if (found !== undefined) kept.add(found);
    return found === undefined;
  });
  const taken = db.prepare('SELECT tbl_name FROM sqlite_master WHERE name = ?').pluck();
  for (const { base, sql, definition } of missing) {
    const brought = find(definition, (name) => !ours(name));
    if (brought !== undefined) {
      kept.add(brought);
      continue;
    }
    const named = (n: number) => (n === 0 ? base : `${base}_r${n}`);
    let n = 0;
    // held by a retired table, or kept for another declared index
    while (![undefined, table].includes(taken.get(named(n)) as string | undefined) || kept.has(named(n))) n++;
    const name = named(n);
    db.transaction(() => {
      if (onTable.has(name)) db.exec(`DROP INDEX ${name}`); // declared otherwise before
      db.exec(sql(name));
    })();
    kept.add(name);
  }
  // A promote's staged names built like no declared index, and this table's older versions of a declared index.
  for (const leftover of [...onTable.keys()].filter((n) => !kept.has(n)))
    if (!ours(leftover) || declared.some(({ base }) => sameBase(leftover, base))) db.exec(`DROP INDEX ${leftover}`);
}

/**
 * What an index's CREATE statement (sqlite_master's text, or ours) builds,
 * without its name and its table's (a rename rewrites the table's as
 * `"<table>"`): uniqueness, then the keys with their order. Undefined for
 * a statement written otherwise, which is then like no declared index.
 */
function definition(sql: string): string | undefined {
  const match = /^CREATE (UNIQUE )?INDEX \S+ ON \S+ (\(.*\))$/s.exec(sql);
  return match ? `${match[1] ?? ''}${match[2]}` : undefined;
}

/** `name` is the declared index `base` under its own name or one it took while a retired table held it. */
const sameBase = (name: string, base: string): boolean =>
  name === base || (name.startsWith(`${base}_r`) && /^\d+$/.test(name.slice(base.length + 2)));

const direction = (key: SortKey): 'ASC' | 'DESC' => {
  if (key.direction !== undefined && key.direction !== 'asc' && key.direction !== 'desc')
    throw new Error(`"${key.field}": direction must be asc or desc`);
  return key.direction === 'desc' ? 'DESC' : 'ASC';
};
