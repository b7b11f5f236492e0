import type { OncePerTurn } from '../../../event-loop.js';
import type { CommitCounter } from '../../../sqlite/commit-counter.js';
import type { OtherCommits } from '../../../sqlite/data-version.js';
import { cursorEncoder } from '../cursor.js';
import type { Doc, FindQuery, Page, Scalar } from '../read-store.js';
import type { DocCache } from './doc-cache.js';
import type { DocChanges } from './doc-changes.js';
import { tableName, type Columns } from './sql-filter.js';
import type { SqliteCollections } from './sqlite-collections.js';
import { findQueries } from './sqlite-find-queries.js';
import * as keyed from './sqlite-table-key.js';
import type { StatementCache } from './statement-cache.js';

/** What the reads need of the SQLite read store they read for. */
export interface ReadSource {
  statements: StatementCache;
  collections: SqliteCollections;
  docs: DocCache;
  changes: DocChanges;
  others: OtherCommits;
  commits: CommitCounter | undefined;
  checked: OncePerTurn;
}

/**
 * The SQLite read store's reads of documents (./sqlite-read-store.ts):
 * from the cache of parsed documents (DocCache), which first forgets what
 * other connections changed since the last look, and from the file for
 * what the cache misses.
 */
export class SqliteDocReads {
  /** the shared commit count (other threads of this process) when data_version was last read */
  private seenCommits: number | undefined;

  constructor(private readonly source: ReadSource) {}

  /** A table to read: first brought up to date with what other connections changed (one may have dropped it). */
  table(collection: string): { table: string; columns: Columns } {
    this.checkCacheCurrent();
    return this.source.collections.ensure(collection);
  }

  /** The documents of `ids` (undefined where absent): from the cache, the misses in one statement. */
  byId(table: string, ids: readonly string[]): (Doc | undefined)[] {
    const { docs, collections, statements } = this.source;
    const found = ids.map((id) => docs.get(table, id));
    const missing = ids.filter((_, i) => found[i] === undefined);
    if (missing.length === 0) return found;
    // One statement for any number of ids (one JSON array); a keyed table's rows keep some fields in columns only.
    const { selected, parser } = keyed.documentColumns(collections.known(table));
    const sql = `SELECT ${selected} FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`;
    const rows = statements.get(sql, true).all(JSON.stringify([...new Set(missing)])) as keyed.DocumentRow[];
    const read = new Map(rows.map((row) => [row[0], docs.remember(table, row[0], row[1], parser?.(row))]));
    return ids.map((id, i) => found[i] ?? read.get(id));
  }

  /** When another connection (the projection thread, a worker, the CLI) committed to the file since the last look, forgets what it changed. */
  private checkCacheCurrent(): void {
    const { commits, checked, others, changes, docs, collections } = this.source;
    // Without a shared count, every read asks: another connection of this very thread may have committed.
    const count = commits?.read();
    if (count !== undefined && count === this.seenCommits && checked.fresh()) return;
    this.seenCommits = count;
    checked.mark();
    if (others.since()) changes.forgetChanged(docs, (table) => collections.forget(table));
  }

  /** Runs inside one read transaction: the ids, their sort values and their documents come from the same snapshot. */
  page(collection: string, query: FindQuery, first: number): Page<Doc> {
    const { docs, collections, statements } = this.source;
    this.checkCacheCurrent();
    const key = `${first}\u0000${JSON.stringify(query)}`;
    const remembered = docs.page(tableName(collection), key);
    if (remembered) return remembered;
    const shape = collections.ensure(collection);
    const { table } = shape;
    const { sort, queries } = findQueries(shape, query);
    // Fetch one more than asked to know whether another page follows.
    const rows: unknown[][] = [];
    for (const { sql, params } of queries) {
      if (rows.length > first) break;
      rows.push(...(statements.get(sql, true).all(...params, first + 1 - rows.length) as unknown[][]));
    }
    // Each row is [id, ...the sort values as SQLite compared them]: cursors repeat exactly what ORDER BY saw.
    const page = rows.slice(0, first);
    const encode = cursorEncoder(sort);
    const cursors = page.map((row) => encode(row.slice(1) as Scalar[]));
    return docs.rememberPage(table, key, {
      items: this.byId(
        table,
        page.map((row) => row[0] as string),
      ) as Doc[],
      cursors,
      endCursor: cursors.at(-1) ?? null,
      hasNextPage: rows.length > first,
    });
  }
}
