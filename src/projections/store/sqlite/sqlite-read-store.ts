import type Database from 'better-sqlite3';
import { ValidationError } from '../../../errors.js';
import { openSqliteFile } from '../../../sqlite/open-database.js';
import { truncateWal } from '../../../sqlite/wal-truncation.js';
import { cursorEncoder, decodeCursor } from '../cursor.js';
import type {
  Checkpoint,
  CollectionOptions,
  Doc,
  Fence,
  Filter,
  FindQuery,
  IndexSpec,
  Page,
  ReadStore,
  ResetOptions,
  Scalar,
  SortKey,
  StagedModel,
  WriteOp,
} from '../read-store.js';
import { effectiveSort } from '../query-terms.js';
import { OncePerTurn } from '../../../event-loop.js';
import type { CommitCounter } from '../../../sqlite/commit-counter.js';
import { OtherCommits } from '../../../sqlite/data-version.js';
import { DocCache } from './doc-cache.js';
import { DocChanges } from './doc-changes.js';
import { SqliteWrites } from './sqlite-writes.js';
import { ensureIndexes } from './sqlite-indexes.js';
import { LEASES_TABLE } from './sqlite-lease-store.js';
import { afterSegments, filterSql, orderBy, sqlKeys, tableName, type Columns } from './sql-filter.js';
import { ensureColumns, indexedFields, tableColumns } from './sqlite-columns.js';
import * as keyed from './sqlite-table-key.js';
import { retire, RetiredTables } from './retired-tables.js';
import { promoteTables } from './sqlite-promote.js';

/** Statement shapes come from code, so this is a safety net, not a working set. */
const MAX_STATEMENTS = 1000;
const DEFAULT_PAGE = 50;
const MAX_PAGE = 1000;

interface Query {
  sql: string;
  params: unknown[];
}

/**
 * The embedded read store: one SQLite file, one rowid table per collection
 * `doc_<name>(id TEXT PRIMARY KEY, body TEXT NOT NULL, ...)` holding the
 * JSON document and, in columns of their own, the fields its indexes name
 * (./sqlite-columns.ts), indexes on those columns, and `_checkpoints`. A
 * collection with a `key` is keyed by that integer field instead
 * (./sqlite-table-key.ts).
 *
 * Durability: WAL with synchronous=NORMAL. A commit may be lost on power
 * loss, but never split: a WAL commit is all or nothing, so a projection's
 * writes and its checkpoint are there together or not at all, and a lost
 * tail is simply replayed from the log (read models can always be rebuilt).
 * secure_delete overwrites deleted and replaced content with zeros, so
 * erased personal data does not linger in free pages. Reads and writes run
 * synchronously on one connection; the async signatures are the port's.
 *
 * Collections need no ensureCollection before use: the first operation
 * that touches one creates its table (a read finds nothing). ensureCollection
 * adds the indexes.
 *
 * Parsed documents are cached (DocCache): reads return shared, frozen
 * documents; a find reads only ids and sort values from the index and takes
 * the documents from the cache. Every commit records which documents it
 * changed (DocChanges), so a connection forgets exactly those when another
 * one (the projection thread) writes.
 */
export class SqliteReadStore implements ReadStore {
  private readonly statements = new Map<string, Database.Statement>();
  /** tables known to exist, with the fields each stores in columns and the field it is keyed by (as ensureTable answers them: one object per table, not one per row written) */
  private readonly tables = new Map<string, { table: string; created: false } & keyed.TableShape>();
  private readonly writes: SqliteWrites;
  /** takes rows prepared on another thread (./prepared-rows.ts RowLoading): the writes do */
  readonly rowLoading: SqliteWrites;
  private readonly findTx: Database.Transaction<(collection: string, query: FindQuery, first: number) => Page<Doc>>;
  private readonly docs: DocCache;
  /** what each commit changed, for the caches of every connection to the file */
  private readonly changes: DocChanges;
  private readonly others: OtherCommits;
  /** tables moved aside (reset aside, promote), erased off the caller's path (./retired-tables.ts) */
  private readonly retired: RetiredTables;
  private readonly checked = new OncePerTurn();
  /** the schema's version when this connection last wrote (./sqlite-writes.ts checkSchema) */
  private schemaVersion: number | undefined;
  /** the shared commit count (other threads of this process) when data_version was last read */
  private seenCommits: number | undefined;

  private constructor(
    private readonly db: Database.Database,
    private readonly commits: CommitCounter | undefined,
    documentCacheMb: number | undefined,
  ) {
    this.docs = new DocCache(documentCacheMb);
    this.findTx = db.transaction((collection: string, query: FindQuery, first: number) =>
      this.findInSnapshot(collection, query, first),
    );
    this.changes = new DocChanges(db);
    this.others = new OtherCommits(db);
    this.rowLoading = this.writes = new SqliteWrites({
      db,
      statement: (sql) => this.statement(sql),
      table: (collection) => this.ensureTable(collection),
      forgetTable: (table) => this.tables.delete(table),
      checkSchema: () => {
        const version = db.pragma('schema_version', { simple: true }) as number;
        if (version !== this.schemaVersion) this.tables.clear();
        this.schemaVersion = version;
      },
      docs: this.docs,
      changes: this.changes,
      committed: () => commits?.bump(),
      erased: () => this.erased(),
    });
    this.retired = new RetiredTables(db, () => this.writes.drain());
    this.retired.start(); // left by a crash or a close midway
  }

  /**
   * Opens (creating it and its folder if missing) the read model file.
   * `commits`: shared by every thread of this process that opens the file
   * (the projection thread): each bumps it after its commits, and a reader
   * that sees it unchanged asks SQLite whether anything changed only once
   * per turn of the event loop (for other processes' commits).
   * `documentCacheMb`: the budget of parsed documents (see DocCache).
   */
  static open(filePath: string, options: { commits?: CommitCounter; documentCacheMb?: number } = {}): SqliteReadStore {
    // WAL, busy_timeout=5000 and the folder come from openSqliteFile.
    const db = openSqliteFile(filePath, { synchronous: 'NORMAL', secureDelete: true });
    db.exec('CREATE TABLE IF NOT EXISTS _checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL)');
    db.exec(LEASES_TABLE);
    return new SqliteReadStore(db, options.commits, options.documentCacheMb);
  }

  /** Prepared once per SQL text; `raw` statements return rows as arrays. */
  private statement(sql: string, raw = false): Database.Statement {
    const key = raw ? `raw ${sql}` : sql;
    let statement = this.statements.get(key);
    if (!statement) {
      if (this.statements.size >= MAX_STATEMENTS) this.statements.delete(this.statements.keys().next().value!);
      statement = this.db.prepare(sql);
      if (raw) statement.raw(true);
      this.statements.set(key, statement);
    }
    return statement;
  }

  private table(collection: string): string {
    return this.ensureTable(collection).table;
  }

  /** The collection's table, the fields it stores in columns and its key; `created` when this call created it. */
  private ensureTable(collection: string): { table: string; created: boolean } & keyed.TableShape {
    const table = tableName(collection);
    const known = this.tables.get(table);
    if (known) return known;
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY, body TEXT NOT NULL)`);
    const shape = { columns: tableColumns(this.db, table), key: keyed.tableKey(this.db, table) };
    this.tables.set(table, { table, created: false, ...shape });
    return { table, created: true, ...shape };
  }

  /**
   * Creates the table (keyed by `key` when given, ./sqlite-table-key.ts), a
   * column for each field its indexes name (filled from the documents
   * already there) and the declared indexes (./sqlite-indexes.ts);
   * `bulkLoad` leaves the non-unique indexes, and a keyed table's index on
   * its ids, for the next call.
   */
  async ensureCollection(
    collection: string,
    indexes: IndexSpec[] = [],
    options: CollectionOptions = {},
  ): Promise<void> {
    const table = tableName(collection);
    if (options.key !== undefined) {
      this.writes.drain(); // writes asked before go to the table as it was
      if (keyed.ensureKey(this.db, table, options.key)) this.tableReplaced(table);
    }
    this.ensureTable(collection);
    if (ensureColumns(this.db, table, indexedFields(indexes))) this.tableReplaced(table);
    const { columns, key } = this.ensureTable(collection);
    const all = key === undefined ? indexes : [...indexes, keyed.ID_INDEX];
    const built = options.bulkLoad ? indexes.filter((index) => index.unique) : all;
    ensureIndexes(this.db, table, built, columns, key);
  }

  /** The table's columns changed: this connection reads them again, and other connections forget what they knew of it. */
  private tableReplaced(table: string): void {
    this.writes.drain();
    this.db.transaction(() => {
      this.changes.note(table, null);
      this.changes.record();
    })();
    this.commits?.bump();
    this.tables.delete(table);
    this.docs.forgetTable(table);
  }

  /** A table to read: first brought up to date with what other connections changed (one may have dropped it). */
  private readTable(collection: string): { table: string; columns: Columns } {
    this.checkCacheCurrent();
    return this.ensureTable(collection);
  }

  async get<T extends Doc>(collection: string, id: string): Promise<T | null> {
    const [doc] = this.docsById(this.readTable(collection).table, [id]);
    return (doc ?? null) as T | null;
  }

  async getMany<T extends Doc>(collection: string, ids: readonly string[]): Promise<(T | null)[]> {
    const { table } = this.readTable(collection);
    if (ids.length === 0) return [];
    return this.docsById(table, ids).map((doc) => (doc ?? null) as T | null);
  }

  /** The documents of `ids` (undefined where absent): from the cache, the misses in one statement. */
  private docsById(table: string, ids: readonly string[]): (Doc | undefined)[] {
    const found = ids.map((id) => this.docs.get(table, id));
    const missing = ids.filter((_, i) => found[i] === undefined);
    if (missing.length === 0) return found;
    // One statement for any number of ids (one JSON array); a keyed table's rows keep some fields in columns only.
    const { selected, parser } = keyed.documentColumns(this.tables.get(table));
    const sql = `SELECT ${selected} FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`;
    const rows = this.statement(sql, true).all(JSON.stringify([...new Set(missing)])) as keyed.DocumentRow[];
    const read = new Map(rows.map((row) => [row[0], this.docs.remember(table, row[0], row[1], parser?.(row))]));
    return ids.map((id, i) => found[i] ?? read.get(id));
  }

  /** When another connection (the projection thread, a worker, the CLI) committed to the file since the last look, forgets what it changed. */
  private checkCacheCurrent(): void {
    // Without a shared count, every read asks: another connection of this very thread may have committed.
    const commits = this.commits?.read();
    if (commits !== undefined && commits === this.seenCommits && this.checked.fresh()) return;
    this.seenCommits = commits;
    this.checked.mark();
    if (this.others.since()) this.changes.forgetChanged(this.docs, (table) => this.tables.delete(table));
  }

  async find<T extends Doc>(collection: string, query: FindQuery = {}): Promise<Page<T>> {
    const first = query.first ?? DEFAULT_PAGE;
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
      throw new ValidationError('first', `must be an integer from 1 to ${MAX_PAGE}`);
    return this.findTx(collection, query, first) as Page<T>;
  }

  /** Runs inside one read transaction: the ids, their sort values and their documents come from the same snapshot. */
  private findInSnapshot(collection: string, query: FindQuery, first: number): Page<Doc> {
    this.checkCacheCurrent();
    const key = `${first}\u0000${JSON.stringify(query)}`;
    const remembered = this.docs.page(tableName(collection), key);
    if (remembered) return remembered;
    const { table, sort, queries } = this.findQueries(collection, query);
    // Fetch one more than asked to know whether another page follows.
    const rows: unknown[][] = [];
    for (const { sql, params } of queries) {
      if (rows.length > first) break;
      rows.push(...(this.statement(sql, true).all(...params, first + 1 - rows.length) as unknown[][]));
    }
    // Each row is [id, ...the sort values as SQLite compared them]: cursors repeat exactly what ORDER BY saw.
    const page = rows.slice(0, first);
    const encode = cursorEncoder(sort);
    const cursors = page.map((row) => encode(row.slice(1) as Scalar[]));
    return this.docs.rememberPage(table, key, {
      items: this.docsById(
        table,
        page.map((row) => row[0] as string),
      ) as Doc[],
      cursors,
      endCursor: cursors.at(-1) ?? null,
      hasNextPage: rows.length > first,
    });
  }

  /** SQLite's query plan for each statement a find runs (not part of the port; for tests and tuning). */
  explainFind(collection: string, query: FindQuery = {}): string[] {
    return this.findQueries(collection, query).queries.map(({ sql, params }) =>
      (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params, 1) as { detail: string }[])
        .map((row) => row.detail)
        .join('; '),
    );
  }

  /** The statements that answer a find, in result order, each taking a LIMIT as last parameter. */
  private findQueries(collection: string, query: FindQuery): { table: string; sort: SortKey[]; queries: Query[] } {
    const { table, columns, key } = this.ensureTable(collection);
    const filter = filterSql(query.filter ?? {}, columns);
    const sort = effectiveSort(query.sort ?? [], filter.constant);
    const keys = sqlKeys(sort, columns);
    const select = `SELECT id, ${keys.map((k) => k.expr).join(', ')} FROM ${table}`;
    const segments =
      query.after == null
        ? [{ terms: [], params: [], orderFrom: 0 }]
        : afterSegments(keys, decodeCursor(query.after, sort), key);
    const queries = segments.map((segment) => {
      const terms = [...filter.terms, ...segment.terms];
      const where = terms.length ? ` WHERE ${terms.join(' AND ')}` : '';
      return {
        sql: `${select}${where}${orderBy(keys.slice(segment.orderFrom))} LIMIT ?`,
        params: [...filter.params, ...segment.params],
      };
    });
    return { table, sort, queries };
  }

  async count(collection: string, filter: Filter = {}): Promise<number> {
    const { table, columns } = this.readTable(collection);
    const { terms, params } = filterSql(filter, columns);
    const sql = `SELECT COUNT(*) FROM ${table}${terms.length ? ` WHERE ${terms.join(' AND ')}` : ''}`;
    return this.statement(sql)
      .pluck()
      .get(...params) as number;
  }

  /** See ./sqlite-writes.ts: writes of one turn share a transaction, each in its own savepoint. */
  async write(ops: readonly WriteOp[], checkpoint?: Checkpoint, fence?: Fence): Promise<void> {
    await this.writes.write(ops, checkpoint, fence);
    if (ops.some((op) => op.kind === 'delete' && op.erase)) await this.erased();
  }

  /** After a write that erased a document (here, or prepared on another thread: ./prepared-rows.ts). */
  private async erased(): Promise<void> {
    await this.retired.finish(); // no retired copy outlives the erasure (./retired-tables.ts)
    // secure_delete zeroed the document in the database; its old WAL frames must go too
    await truncateWal(this.db);
  }

  async getCheckpoint(name: string): Promise<number | null> {
    const position = this.statement('SELECT position FROM _checkpoints WHERE name = ?').pluck().get(name) as
      number | undefined;
    return position ?? null;
  }

  async listCheckpoints(): Promise<Checkpoint[]> {
    return this.statement('SELECT name, position FROM _checkpoints ORDER BY name').all() as Checkpoint[];
  }

  /** `aside`: the tables are renamed in a moment, and erased once eraseRetired is called (./retired-tables.ts). */
  async reset(name: string, collections: readonly string[], options: ResetOptions = {}): Promise<void> {
    this.writes.drain(); // writes asked before come first
    const tables = collections.map(tableName);
    this.db.transaction(() => {
      for (const table of tables) {
        if (options.aside) retire(this.db, table);
        else this.db.exec(`DROP TABLE IF EXISTS ${table}`);
        this.changes.note(table, null);
      }
      this.statement('DELETE FROM _checkpoints WHERE name = ?').run(name);
      this.changes.record();
    })();
    this.commits?.bump();
    for (const table of tables) {
      this.tables.delete(table);
      this.docs.forgetTable(table);
    }
    this.statements.clear();
  }

  eraseRetired(): Promise<void> {
    return this.retired.finish();
  }

  /** See ./sqlite-promote.ts. */
  async promote(name: string, staged: StagedModel): Promise<void> {
    this.writes.drain();
    const pairs = staged.collections.map(({ staged: from, live: to }) => ({
      from: this.table(from),
      to: tableName(to),
    }));
    promoteTables(this.db, this.changes, name, staged.checkpoint, pairs);
    this.commits?.bump();
    for (const { from, to } of pairs) {
      this.tables.delete(from);
      this.tables.delete(to); // its columns are the staged table's: read again
      this.docs.forgetTable(from);
      this.docs.forgetTable(to);
    }
    this.statements.clear();
    this.retired.start();
  }

  async close(): Promise<void> {
    this.retired.stop();
    if (this.db.open) this.writes.drain(); // what was asked before close is committed and answered
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}
