import type Database from 'better-sqlite3';
import { openSqliteFile } from '../../../sqlite/open-database.js';
import { EVENTS_SCHEMA } from './event-schema.js';

const COLUMNS =
  'position, event_id, stream_id, revision, type, schema_version, occurred_at, data, metadata, prev_hash, hash';

/**
 * Whether the log's table is in a format from before issue 25: positions
 * declared AUTOINCREMENT (sqlite_sequence's page written by every commit),
 * or an index on event_id (one more page per commit). Such a log works as
 * it is; upgradeLogFormat rewrites it.
 */
export function isEarlierLogFormat(db: Database.Database): boolean {
  const table = db
    .prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events'")
    .get();
  if (!table) return false;
  if (/\bAUTOINCREMENT\b/i.test(table.sql)) return true;
  const indexes = db.prepare<[], { name: string }>("SELECT name FROM pragma_index_list('events')").all();
  const columns = db.prepare<[string], { name: string }>('SELECT name FROM pragma_index_info(?)');
  return indexes.some(({ name }) => {
    const indexed = columns.all(name);
    return indexed.length === 1 && indexed[0]!.name === 'event_id';
  });
}

/**
 * Rewrites a log in an earlier format (isEarlierLogFormat) into the current
 * one, in one transaction: the same rows, positions, ids and hashes (the
 * chain is untouched), in a table without AUTOINCREMENT and without the
 * event_id index, then VACUUM gives the old table's pages back. Needs free
 * space for a second copy of the log meanwhile, and no other process
 * writing the file (it waits for the write lock like any writer). Returns
 * how many events it rewrote, or undefined when the log was already in the
 * current format (nothing written).
 */
export function upgradeLogFormat(file: string): number | undefined {
  const db = openSqliteFile(file, { synchronous: 'FULL', secureDelete: false });
  try {
    const rewrite = db.transaction((): number | undefined => {
      if (!isEarlierLogFormat(db)) return undefined;
      // The trigger follows the renamed table and goes with it; the schema is made again after the drop for it.
      db.exec('ALTER TABLE events RENAME TO events_previous');
      db.exec(EVENTS_SCHEMA);
      const copied = db
        .prepare(`INSERT INTO events (${COLUMNS}) SELECT ${COLUMNS} FROM events_previous ORDER BY position`)
        .run().changes;
      db.exec('DROP TABLE events_previous');
      db.exec(EVENTS_SCHEMA);
      return copied;
    }).immediate;
    const rewritten = rewrite();
    if (rewritten !== undefined) {
      db.exec('VACUUM');
      db.pragma('wal_checkpoint(TRUNCATE)');
    }
    return rewritten;
  } finally {
    db.close();
  }
}
