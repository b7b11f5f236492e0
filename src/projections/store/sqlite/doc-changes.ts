import type Database from 'better-sqlite3';
import type { DocCache } from './doc-cache.js';

/** Change rows kept for connections that look rarely; one that falls further behind forgets its whole cache. */
const KEEP_ROWS = 10_000;
const PRUNE_EVERY = 1_000;
/** A commit that changes more documents of a table than this records the whole table (a replay, a rebuild): readers forget all of it. */
const MAX_IDS_PER_TABLE = 200;

/** A changed document, or (id null) a whole table dropped or replaced. */
type Change = [table: string, id: string | null];

/**
 * Which documents each commit to a read-model file changed, kept in the
 * file itself (`_doc_changes`, one row per commit), so that every
 * connection's DocCache stays exact when another connection writes (the
 * projection thread, a `project` worker, the CLI): it forgets just what
 * changed instead of every document it had parsed.
 */
export class DocChanges {
  private readonly insert: Database.Statement;
  private readonly since: Database.Statement<[number], [number, string]>;
  /** what the running write changed, by table: ids, or null for the whole table */
  private pending = new Map<string, Set<string> | null>();
  private commits = 0;
  /** the last change row this connection has applied to its cache */
  private seen: number;

  constructor(private readonly db: Database.Database) {
    // A plain rowid (no AUTOINCREMENT: that writes sqlite_sequence on every commit); the newest rows are never deleted, so none is reused.
    db.exec('CREATE TABLE IF NOT EXISTS _doc_changes (seq INTEGER PRIMARY KEY, changes TEXT NOT NULL)');
    this.insert = db.prepare('INSERT INTO _doc_changes (changes) VALUES (?)');
    this.since = db
      .prepare<[number], [number, string]>('SELECT seq, changes FROM _doc_changes WHERE seq > ? ORDER BY seq')
      .raw(true);
    this.seen = (db.prepare('SELECT MAX(seq) FROM _doc_changes').pluck().get() as number | null) ?? 0;
  }

  /** The running write changes this document (or, id null, the whole table). */
  note(table: string, id: string | null): void {
    const ids = this.pending.get(table);
    if (ids === null) return;
    if (id === null) this.pending.set(table, null);
    else if (!ids) this.pending.set(table, new Set([id]));
    else if (ids.add(id).size > MAX_IDS_PER_TABLE) this.pending.set(table, null);
  }

  /** Inside the write's transaction, before COMMIT: one row for all it changed. */
  record(): void {
    if (this.pending.size === 0) return;
    const changes = [...this.pending].flatMap(([table, ids]): Change[] =>
      ids === null ? [[table, null]] : [...ids].map((id): Change => [table, id]),
    );
    this.insert.run(JSON.stringify(changes));
    this.pending.clear();
    if (++this.commits % PRUNE_EVERY === 0)
      this.db.prepare('DELETE FROM _doc_changes WHERE seq <= (SELECT MAX(seq) FROM _doc_changes) - ?').run(KEEP_ROWS);
  }

  /** The write rolled back: nothing of it happened. */
  discard(): void {
    this.pending.clear();
  }

  /**
   * Another connection committed: forget in `cache` what its commits
   * changed, or everything when some of them are no longer in the log; tell
   * `onTableReplaced` of each table dropped or replaced. (Rows
   * of this connection's own commits come back too; forgetting those again
   * costs a parse, never a stale read.)
   */
  forgetChanged(cache: DocCache, onTableReplaced: (table: string) => void): void {
    const rows = this.since.all(this.seen);
    if (rows.length === 0) return;
    if (rows[0]![0] !== this.seen + 1) cache.clear();
    for (const [, changes] of rows) {
      for (const [table, id] of JSON.parse(changes) as Change[]) {
        if (id !== null) cache.forget(table, id);
        else {
          cache.forgetTable(table);
          onTableReplaced(table);
        }
      }
    }
    this.seen = rows.at(-1)![0];
  }
}
