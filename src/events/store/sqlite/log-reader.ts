import type Database from 'better-sqlite3';
import { openSqliteFile } from '../../../sqlite/open-database.js';
import { type EventRow, SELECT_EVENTS } from './event-schema.js';

/** A forward scan reads each page once: a small cache keeps the b-tree's inner pages (as the projection thread's log, FOLLOWER_CACHE_MB). */
const SCAN_CACHE_MB = 2;

/**
 * The log's rows read by ranges of positions on a connection of its own
 * (each thread of a rebuild on two threads reads its own batches,
 * src/projections/runner/threaded-replay.ts). Like the store's readAll, it
 * reads what is committed.
 */
export class LogReader {
  private readonly db: Database.Database;
  private readonly range: Database.Statement<[number, number], EventRow>;

  constructor(file: string) {
    this.db = openSqliteFile(file, { synchronous: 'NORMAL', secureDelete: false, cacheMb: SCAN_CACHE_MB });
    this.range = this.db
      .prepare<[number, number], EventRow>(
        `${SELECT_EVENTS} WHERE position > ? AND position <= ? ORDER BY position ASC`,
      )
      .raw(true);
  }

  /** The rows of the events after position `after` through `through`, in log order. */
  rowsIn(after: number, through: number): EventRow[] {
    return this.range.all(after, through);
  }

  close(): void {
    this.db.close();
  }
}
