import type Database from 'better-sqlite3';
import { ValidationError } from '../../../errors.js';
import { openSqliteFile } from '../../../sqlite/open-database.js';
import { truncateWal } from '../../../sqlite/wal-truncation.js';
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
  StagedModel,
  WriteOp,
} from '../read-store.js';
import { OncePerTurn } from '../../../event-loop.js';
import type { CommitCounter } from '../../../sqlite/commit-counter.js';
import { OtherCommits } from '../../../sqlite/data-version.js';
import { DocCache } from './doc-cache.js';
import { DocChanges } from './doc-changes.js';
import { SqliteWrites } from './sqlite-writes.js';
import { LEASES_TABLE } from './sqlite-lease-store.js';
import { RetiredTables } from './retired-tables.js';
import { SqliteCollections } from './sqlite-collections.js';
import { countQuery, findQueries } from './sqlite-find-queries.js';
import { SqliteDocReads } from './sqlite-doc-reads.js';
import { StatementCache } from './statement-cache.js';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 1000;

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
  private readonly statements: StatementCache;
  /** the tables, created, reshaped, dropped and replaced (./sqlite-collections.ts) */
  private readonly collections: SqliteCollections;
  private readonly writes: SqliteWrites;
  /** takes rows prepared on another thread (./prepared-rows.ts RowLoading): the writes do */
  readonly rowLoading: SqliteWrites;
  private readonly findTx: Database.Transaction<(collection: string, query: FindQuery, first: number) => Page<Doc>>;
  private readonly docs: DocCache;
  /** what each commit changed, for the caches of every connection to the file */
  private readonly changes: DocChanges;
  /** documents read through the cache (./sqlite-doc-reads.ts) */
  private readonly reads: SqliteDocReads;
  /** tables moved aside (reset aside, promote), erased off the caller's path (./retired-tables.ts) */
  private readonly retired: RetiredTables;

  private constructor(
    private readonly db: Database.Database,
    commits: CommitCounter | undefined,
    documentCacheMb: number | undefined,
  ) {
    this.docs = new DocCache(documentCacheMb);
    this.statements = new StatementCache(db);
    this.findTx = db.transaction((collection: string, query: FindQuery, first: number) =>
      this.reads.page(collection, query, first),
    );
    this.changes = new DocChanges(db);
    const { docs, changes, statements } = this;
    this.collections = new SqliteCollections({
      db,
      statements,
      docs,
      changes,
      commits,
      drain: () => this.writes.drain(),
    });
    this.reads = new SqliteDocReads({
      statements,
      collections: this.collections,
      docs,
      changes,
      others: new OtherCommits(db),
      commits,
      checked: new OncePerTurn(),
    });
    this.rowLoading = this.writes = new SqliteWrites({
      db,
      statement: (sql) => statements.get(sql),
      table: (collection) => this.collections.ensure(collection),
      forgetTable: (table) => this.collections.forget(table),
      checkSchema: () => this.collections.checkSchema(),
      docs,
      changes,
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

  /** See ./sqlite-collections.ts. */
  async ensureCollection(
    collection: string,
    indexes: IndexSpec[] = [],
    options: CollectionOptions = {},
  ): Promise<void> {
    this.collections.ensureCollection(collection, indexes, options);
  }

  async get<T extends Doc>(collection: string, id: string): Promise<T | null> {
    const [doc] = this.reads.byId(this.reads.table(collection).table, [id]);
    return (doc ?? null) as T | null;
  }

  async getMany<T extends Doc>(collection: string, ids: readonly string[]): Promise<(T | null)[]> {
    const { table } = this.reads.table(collection);
    if (ids.length === 0) return [];
    return this.reads.byId(table, ids).map((doc) => (doc ?? null) as T | null);
  }

  async find<T extends Doc>(collection: string, query: FindQuery = {}): Promise<Page<T>> {
    const first = query.first ?? DEFAULT_PAGE;
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
      throw new ValidationError('first', `must be an integer from 1 to ${MAX_PAGE}`);
    return this.findTx(collection, query, first) as Page<T>;
  }

  /** SQLite's query plan for each statement a find runs (not part of the port; for tests and tuning). */
  explainFind(collection: string, query: FindQuery = {}): string[] {
    return findQueries(this.collections.ensure(collection), query).queries.map(({ sql, params }) =>
      (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params, 1) as { detail: string }[])
        .map((row) => row.detail)
        .join('; '),
    );
  }

  async count(collection: string, filter: Filter = {}): Promise<number> {
    const { sql, params } = countQuery(this.reads.table(collection), filter);
    return this.statements
      .get(sql)
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
    const position = this.statements.get('SELECT position FROM _checkpoints WHERE name = ?').pluck().get(name) as
      number | undefined;
    return position ?? null;
  }

  async listCheckpoints(): Promise<Checkpoint[]> {
    return this.statements.get('SELECT name, position FROM _checkpoints ORDER BY name').all() as Checkpoint[];
  }

  /** `aside`: the tables are renamed in a moment, and erased once eraseRetired is called (./retired-tables.ts). */
  async reset(name: string, collections: readonly string[], options: ResetOptions = {}): Promise<void> {
    this.collections.reset(name, collections, options);
  }

  eraseRetired(): Promise<void> {
    return this.retired.finish();
  }

  /** See ./sqlite-promote.ts. */
  async promote(name: string, staged: StagedModel): Promise<void> {
    this.collections.promote(name, staged);
    this.retired.start();
  }

  async close(): Promise<void> {
    this.retired.stop();
    if (this.db.open) this.writes.drain(); // what was asked before close is committed and answered
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}
