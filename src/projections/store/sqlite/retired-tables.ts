import type Database from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';
import { yieldToEventLoop } from '../../../event-loop.js';
import { truncateWal } from '../../../sqlite/wal-truncation.js';

/**
 * A read model's tables moved aside (a rebuild's old model, the live model
 * a promote replaced) are renamed `retired_<n>_<table>` in a moment, and
 * erased afterwards, off the rebuild's path: dropping a 1M-entry audit
 * trail with secure_delete on (which zeroes every freed page, so erased
 * values do not linger in free pages) held the thread 3.4–5.8 s.
 *
 * Erasing starts once the new model is complete (replayWhole asks for it;
 * a promote, after its switch), so it does not compete with the rebuild.
 * It is a sequence of small steps, each its own transaction, with a turn
 * of the event loop between them (queries, lease renewals and HTTP run
 * meanwhile): one step drops one of the table's indexes (SQLite drops an
 * index in one statement: 155–380 ms each for the 1M-entry audit trail's,
 * the longest steps), or deletes the next rows in rowid order
 * (secure_delete zeroes each row, and each page once it empties; in rowid
 * order each page is written about once, as a drop would), or drops the
 * table once empty. Then the WAL is truncated, so the zeroed pages reach
 * the file and the old frames go.
 *
 * The retired tables are in the file, not in memory: a crash or a close
 * midway leaves them, and the next open of the file erases them. Every
 * write that erases a document (`delete` with `erase`) first finishes
 * erasing every retired table (SqliteReadStore.write): a retired copy holds
 * the old model's values, maybe of the person just erased, perhaps under
 * another id or collection (an older shape), so the erasure is not reported
 * projected while any copy is left. That costs an erasure that falls in the
 * window the rest of the erasing (seconds at most), and a rebuild nothing.
 * Erasing before the rebuild returns would not keep the promise: an
 * erasure can be projected at any moment of the window, through any
 * connection to the file, and only the write that erases knows it does.
 */
const PREFIX = 'retired_';
/** rows per step: at most about 50 ms for the audit trail's rows on this machine under load */
const ROWS_PER_STEP = 1000;
/** another connection holds the write lock: try again this much later rather than wait on it */
const BUSY_RETRY_MS = 20;

/** The retired tables in the file, by name. */
export function retiredTables(db: Database.Database): string[] {
  return db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'retired\\_%' ESCAPE '\\' ORDER BY name",
    )
    .pluck()
    .all() as string[];
}

/** Moves `table` aside, if it exists, under a retired name (its indexes and rows go with it). Runs inside the caller's transaction. */
export function retire(db: Database.Database, table: string): void {
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(table) === undefined)
    return;
  const taken = new Set(retiredTables(db));
  let n = 1;
  while (taken.has(`${PREFIX}${n}_${table}`)) n++;
  db.exec(`ALTER TABLE ${table} RENAME TO ${PREFIX}${n}_${table}`);
}

/** One step of erasing the retired tables (see above); false when none is left. */
function step(db: Database.Database): boolean {
  const [table] = retiredTables(db);
  if (table === undefined) return false;
  const index = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL LIMIT 1")
    .pluck()
    .get(table) as string | undefined;
  if (index !== undefined) {
    db.exec(`DROP INDEX ${index}`);
    return true;
  }
  const deleted = db
    .prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} ORDER BY rowid LIMIT ${ROWS_PER_STEP})`)
    .run().changes;
  if (deleted === 0) db.exec(`DROP TABLE ${table}`);
  return true;
}

const busy = (error: unknown): boolean =>
  typeof (error as { code?: unknown }).code === 'string' && (error as { code: string }).code.startsWith('SQLITE_BUSY');

/**
 * Erases one connection's retired tables: in the background (`start`) or
 * now (`finish`), one run at a time, either way in steps between turns of
 * the event loop.
 */
export class RetiredTables {
  private running: Promise<void> | undefined;
  private stopped = false;

  /** `drain` commits the connection's queued writes before each step. */
  constructor(
    private readonly db: Database.Database,
    private readonly drain: () => void,
  ) {}

  /** Starts erasing in the background, when anything is retired and no run is under way. */
  start(): void {
    if (this.running || this.stopped || retiredTables(this.db).length === 0) return;
    // A failure (the file closed under it) leaves the tables to the next open, or to finish, which tries again.
    this.running = this.run(false)
      .catch(() => undefined)
      .finally(() => (this.running = undefined));
  }

  /** Resolves once no retired table is left in the file (and the WAL is truncated): joins the background run, then erases what is left. */
  async finish(): Promise<void> {
    this.start();
    await this.running;
    if (this.db.open && retiredTables(this.db).length > 0) await this.run(true);
  }

  /** Stops between two steps (the connection is closing); the next open erases the rest. */
  stop(): void {
    this.stopped = true;
  }

  /** `waiting`: someone waits for it, so it waits for a busy write lock like any write, instead of trying again later. */
  private async run(waiting: boolean): Promise<void> {
    let erased = false;
    await yieldToEventLoop(); // not on the path of whoever retired the tables (a promote, an open)
    for (;;) {
      if (this.stopped && !waiting) return;
      if (!this.db.open) return;
      this.drain();
      try {
        if (!(waiting ? step(this.db) : this.withoutWaiting(() => step(this.db)))) break;
        erased = true;
      } catch (error) {
        if (waiting || !busy(error)) throw error;
        await sleep(BUSY_RETRY_MS);
        continue;
      }
      await yieldToEventLoop();
    }
    if (erased) await (waiting ? truncateWal(this.db) : this.truncateWalWithoutWaiting());
  }

  /** truncateWal's attempts, each giving up at once while another connection reads an older snapshot. */
  private async truncateWalWithoutWaiting(): Promise<void> {
    for (let attempt = 1; attempt <= 20 && this.db.open; attempt++) {
      const [result] = this.withoutWaiting(() => this.db.pragma('wal_checkpoint(TRUNCATE)')) as Array<{ busy: number }>;
      if (result?.busy === 0) return;
      await sleep(25 * attempt);
    }
  }

  /** A step in the background must not hold this thread waiting for another connection's write lock. */
  private withoutWaiting<T>(fn: () => T): T {
    const timeout = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma('busy_timeout = 0');
    try {
      return fn();
    } finally {
      this.db.pragma(`busy_timeout = ${timeout}`);
    }
  }
}
