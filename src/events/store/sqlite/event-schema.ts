import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../event-envelope.js';
import type { StoredEvent } from '../event-store.js';

/**
 * The log's one table.
 *
 * - `position` is the rowid: strictly increasing, first event 1. A plain
 *   rowid is the largest so far plus one, so it is never handed out again
 *   as long as no row is ever removed, which the trigger below makes a
 *   rule of the file. (Logs created before this version declare
 *   AUTOINCREMENT: the same numbers, and one more page, sqlite_sequence's,
 *   written by every commit. They keep working as they are.)
 * - `data` and `metadata` hold exactly the JSON strings the hash was computed
 *   over, so the chain can be re-verified from the rows alone.
 * - UNIQUE (stream_id, revision) is the index behind every stream read and
 *   behind append's "where is this stream now" lookup (its last entry). It is
 *   also the last line of defence: two writers can never both store a
 *   revision. Reads "as of an instant" walk a stream through it: a stream is
 *   short, and its events are in time order anyway.
 * - `event_id` has no index: nothing reads by it, and a unique index on it
 *   was one more page written and fsynced by every commit (3.2 WAL frames
 *   per single-event commit with it, 2.2 without). Ids are fresh UUIDs and
 *   retries are recognised by idempotency keys and expected revisions, so
 *   the store refuses a repeated id only within one append, as KurrentDB
 *   does (./log-writes.ts). (Logs created before this version declare
 *   `event_id ... UNIQUE`: they keep the index, and refuse an id already
 *   anywhere in the log.)
 *
 * No other index and no table of streams: each page a commit touches is one
 * more frame written and fsynced to the WAL, and single appends are bound by
 * exactly that.
 */
export const EVENTS_SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL,
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
);
CREATE TRIGGER IF NOT EXISTS events_append_only BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
`;

export const SELECT_EVENTS =
  'SELECT position, event_id, stream_id, revision, type, schema_version, occurred_at, data, metadata, prev_hash, hash FROM events';

export const INSERT_EVENT = `INSERT INTO events
  (event_id, stream_id, revision, type, schema_version, occurred_at, data, metadata, prev_hash, hash)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** A row of SELECT_EVENTS in raw mode (arrays cost much less than objects). */
export type EventRow = [
  position: number,
  eventId: string,
  streamId: string,
  revision: number,
  type: string,
  schemaVersion: number,
  occurredAt: string,
  data: string,
  metadata: string,
  prevHash: string,
  hash: string,
];

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    eventId: row[1],
    type: row[4],
    schemaVersion: row[5],
    occurredAt: row[6],
    data: parsed(row, 7, 'data') as RecordedEvent['data'],
    metadata: parsed(row, 8, 'metadata') as RecordedEvent['metadata'],
    streamId: row[2],
    revision: row[3],
    position: row[0],
    prevHash: row[9],
    hash: row[10],
  };
}

/**
 * A column's JSON. A damaged row's SyntaxError would quote the text around
 * the fault (V8 does), which may be a value: the error names the row's
 * position and the column instead, and goes where errors go (logs, the CLI).
 */
function parsed(row: EventRow, column: 7 | 8, name: 'data' | 'metadata'): unknown {
  try {
    return JSON.parse(row[column]);
  } catch {
    throw new SyntaxError(`the log row at position ${row[0]} holds no valid JSON in its ${name}`);
  }
}

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    eventId: row[1],
    type: row[4],
    schemaVersion: row[5],
    occurredAt: row[6],
    dataJson: row[7],
    metadataJson: row[8],
    streamId: row[2],
    revision: row[3],
    position: row[0],
    prevHash: row[9],
    hash: row[10],
  };
}

/**
 * A log in the earlier format refused an id already in the log (its unique
 * index); better-sqlite3 reports constraint failures by code and names the
 * column in the message.
 */
export function isDuplicateEventId(error: unknown): boolean {
  return (
    (error as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    String((error as Error).message).includes('events.event_id')
  );
}

/** The reads of the log a store prepares once on its connection. */
export function prepareLogReads(db: Database.Database) {
  return {
    forwards: db
      .prepare<[string, number, number], EventRow>(
        `${SELECT_EVENTS} WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`,
      )
      .raw(true),
    backwards: db
      .prepare<[string, number, number], EventRow>(
        `${SELECT_EVENTS} WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
      )
      .raw(true),
    after: db
      .prepare<[number, number], EventRow>(`${SELECT_EVENTS} WHERE position > ? ORDER BY position ASC LIMIT ?`)
      .raw(true),
    afterOfType: db
      .prepare<[number, string, number], EventRow>(
        `${SELECT_EVENTS} WHERE position > ? AND type = ? ORDER BY position ASC LIMIT ?`,
      )
      .raw(true),
    afterBelow: db
      .prepare<[number, number, number], EventRow>(
        `${SELECT_EVENTS} WHERE position > ? AND position < ? ORDER BY position ASC LIMIT ?`,
      )
      .raw(true),
    head: db.prepare<[], [number | null]>('SELECT MAX(position) FROM events').raw(true),
  };
}

export type LogReadStatements = ReturnType<typeof prepareLogReads>;
