import Database from 'better-sqlite3';

/**
 * The log's table as versions before issue 25 created it: AUTOINCREMENT
 * (sqlite_sequence written by every commit) and a unique index on event_id
 * (an id already anywhere in the log refused).
 */
export const PREVIOUS_FORMAT = `
CREATE TABLE events (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  stream_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  type TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  occurred_at TEXT NOT NULL,
  data TEXT NOT NULL,
  metadata TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  UNIQUE (stream_id, revision)
);`;

/** The table as the first change of issue 25 created it: a plain rowid, and still the unique index on event_id. */
export const ROWID_FORMAT = PREVIOUS_FORMAT.replace(' AUTOINCREMENT', '');

/** Creates `file` as an empty log in the previous format (or the one given). */
export function createPreviousFormatLog(file: string, format = PREVIOUS_FORMAT): void {
  const created = new Database(file);
  try {
    created.pragma('journal_mode = WAL');
    created.exec(format);
  } finally {
    created.close();
  }
}
