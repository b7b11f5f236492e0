import path from 'node:path';
import Database from 'better-sqlite3';
import { ratePerSecond } from './table.js';

/**
 * What SQLite itself reaches on this disk: one small row per transaction,
 * committed with synchronous=FULL (SQLite fsyncs the WAL in the commit), on
 * a table with nothing but its rowid. No durable log can append single
 * events faster through SQLite; the store's row also has its indexes. One
 * connection for the whole run, so its WAL reaches its steady size (later
 * commits overwrite it instead of growing the file) as the store's does.
 */
export async function bareSqliteInserter(
  dir: string,
): Promise<{ frames: number; rate(ms: number): Promise<number>; close(): void }> {
  const db = new Database(path.join(dir, 'bare-insert.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const row = 'x'.repeat(400); // about an event's row
  const frames = await walFramesPerCommit(db.name, 100, () => void insert.run(row));
  return {
    frames,
    rate: (ms) =>
      ratePerSecond(ms, () => {
        insert.run(row);
        return 1;
      }),
    close: () => db.close(),
  };
}

/**
 * WAL frames (pages) written per commit: the WAL emptied first, `commits`
 * commits made by `commit`, then the frames counted by a checkpoint on a
 * connection of its own. Each frame is a page written and fsynced.
 */
export async function walFramesPerCommit(
  file: string,
  commits: number,
  commit: () => Promise<void> | void,
): Promise<number> {
  const counter = new Database(file);
  try {
    counter.pragma('wal_checkpoint(TRUNCATE)');
    for (let i = 0; i < commits; i++) await commit();
    const [result] = counter.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>;
    return result!.log / commits;
  } finally {
    counter.close();
  }
}
