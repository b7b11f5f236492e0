import type Database from 'better-sqlite3';
import type { CommitCounter } from '../../../sqlite/commit-counter.js';
import type { CollectionOptions, IndexSpec, ResetOptions, StagedModel } from '../read-store.js';
import type { DocCache } from './doc-cache.js';
import type { DocChanges } from './doc-changes.js';
import { retire } from './retired-tables.js';
import { tableName } from './sql-filter.js';
import { ensureColumns, indexedFields, tableColumns } from './sqlite-columns.js';
import { ensureIndexes } from './sqlite-indexes.js';
import { promoteTables } from './sqlite-promote.js';
import * as keyed from './sqlite-table-key.js';
import type { StatementCache } from './statement-cache.js';

/** What the collections need of the SQLite read store whose tables they set up. */
export interface CollectionsTarget {
  db: Database.Database;
  statements: StatementCache;
  docs: DocCache;
  changes: DocChanges;
  commits: CommitCounter | undefined;
  /** commits the writes asked so far (./sqlite-writes.ts), before a table changes under them */
  drain(): void;
}

/** A table as ensure answers it; `created` when that call created it. */
export type EnsuredTable = { table: string; created: boolean } & keyed.TableShape;

/**
 * The SQLite read store's tables (./sqlite-read-store.ts): which exist,
 * creating them, bringing their columns and indexes up to what
 * ensureCollection declares, and dropping, moving aside (reset) or
 * replacing (promote) them. Every change of a table is noted in DocChanges
 * and counted as a commit, so every connection's caches forget it.
 */
export class SqliteCollections {
  /** tables known to exist, with the fields each stores in columns and the field it is keyed by (as ensure answers them: one object per table, not one per row written) */
  private readonly tables = new Map<string, { table: string; created: false } & keyed.TableShape>();
  /** the schema's version when this connection last wrote (./sqlite-writes.ts checkSchema) */
  private schemaVersion: number | undefined;

  constructor(private readonly target: CollectionsTarget) {}

  table(collection: string): string {
    return this.ensure(collection).table;
  }

  /** The collection's table, the fields it stores in columns and its key; `created` when this call created it. */
  ensure(collection: string): EnsuredTable {
    const table = tableName(collection);
    const known = this.tables.get(table);
    if (known) return known;
    const { db } = this.target;
    db.exec(`CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY, body TEXT NOT NULL)`);
    const shape = { columns: tableColumns(db, table), key: keyed.tableKey(db, table) };
    this.tables.set(table, { table, created: false, ...shape });
    return { table, created: true, ...shape };
  }

  /** What this connection knows of `table`, if it knows it. */
  known(table: string): keyed.TableShape | undefined {
    return this.tables.get(table);
  }

  /** `table` is read again on next use (a write that created it rolled back, another connection changed it). */
  forget(table: string): void {
    this.tables.delete(table);
  }

  /** See ./sqlite-writes.ts WriteTarget checkSchema. */
  checkSchema(): void {
    const version = this.target.db.pragma('schema_version', { simple: true }) as number;
    if (version !== this.schemaVersion) this.tables.clear();
    this.schemaVersion = version;
  }

  /**
   * Creates the table (keyed by `key` when given, ./sqlite-table-key.ts), a
   * column for each field its indexes name (filled from the documents
   * already there) and the declared indexes (./sqlite-indexes.ts);
   * `bulkLoad` leaves the non-unique indexes, and a keyed table's index on
   * its ids, for the next call.
   */
  ensureCollection(collection: string, indexes: IndexSpec[], options: CollectionOptions): void {
    const { db } = this.target;
    const table = tableName(collection);
    if (options.key !== undefined) {
      this.target.drain(); // writes asked before go to the table as it was
      if (keyed.ensureKey(db, table, options.key)) this.tableReplaced(table);
    }
    this.ensure(collection);
    if (ensureColumns(db, table, indexedFields(indexes))) this.tableReplaced(table);
    const { columns, key } = this.ensure(collection);
    const all = key === undefined ? indexes : [...indexes, keyed.ID_INDEX];
    const built = options.bulkLoad ? indexes.filter((index) => index.unique) : all;
    ensureIndexes(db, table, built, columns, key);
  }

  /** The table's columns changed: this connection reads them again, and other connections forget what they knew of it. */
  private tableReplaced(table: string): void {
    const { db, changes } = this.target;
    this.target.drain();
    db.transaction(() => {
      changes.note(table, null);
      changes.record();
    })();
    this.target.commits?.bump();
    this.tables.delete(table);
    this.target.docs.forgetTable(table);
  }

  /** Drops the collections' tables (`aside`: renames them, ./retired-tables.ts) and the checkpoint `name`. */
  reset(name: string, collections: readonly string[], options: ResetOptions): void {
    const { db, changes, statements } = this.target;
    this.target.drain(); // writes asked before come first
    const tables = collections.map(tableName);
    db.transaction(() => {
      for (const table of tables) {
        if (options.aside) retire(db, table);
        else db.exec(`DROP TABLE IF EXISTS ${table}`);
        changes.note(table, null);
      }
      statements.get('DELETE FROM _checkpoints WHERE name = ?').run(name);
      changes.record();
    })();
    this.target.commits?.bump();
    for (const table of tables) {
      this.tables.delete(table);
      this.target.docs.forgetTable(table);
    }
    statements.clear();
  }

  /** See ./sqlite-promote.ts. */
  promote(name: string, staged: StagedModel): void {
    const { db, changes, docs } = this.target;
    this.target.drain();
    const pairs = staged.collections.map(({ staged: from, live: to }) => ({
      from: this.table(from),
      to: tableName(to),
    }));
    promoteTables(db, changes, name, staged.checkpoint, pairs);
    this.target.commits?.bump();
    for (const { from, to } of pairs) {
      this.tables.delete(from);
      this.tables.delete(to); // its columns are the staged table's: read again
      docs.forgetTable(from);
      docs.forgetTable(to);
    }
    this.target.statements.clear();
  }
}
