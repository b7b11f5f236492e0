import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ConcurrencyError } from '../../../../src/errors.js';
import { SqliteEventStore } from '../../../../src/events/store/sqlite/sqlite-event-store.js';
import { newEvent } from '../event-store.contract.js';

/** The log's table as versions before issue 25 created it (AUTOINCREMENT: sqlite_sequence written by every commit). */
const PREVIOUS_FORMAT = `
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

describe('the SQLite log file', () => {
  const dirs: string[] = [];
  const newFile = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-format-'));
    dirs.push(dir);
    return path.join(dir, 'events.sqlite');
  };
  const inspect = <T>(file: string, use: (db: Database.Database) => T): T => {
    const db = new Database(file, { readonly: true });
    try {
      return use(db);
    } finally {
      db.close();
    }
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a new log keeps no sqlite_sequence: a commit writes no page for its position', async () => {
    const file = newFile();
    const store = SqliteEventStore.open(file);
    await store.append('s-1', [newEvent(1)], { expectedRevision: 'no_stream' });
    await store.close();
    const tables = inspect(file, (db) =>
      db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all(),
    );
    expect(tables.map((t) => t.name)).toEqual(['events']);
  });

  it('a log in the previous format opens as it is: its events read back, appends continue its positions and its chain', async () => {
    const file = newFile();
    const created = new Database(file);
    created.pragma('journal_mode = WAL');
    created.exec(PREVIOUS_FORMAT);
    created.close();
    const before = SqliteEventStore.open(file);
    const first = await before.append('s-1', [newEvent(1), newEvent(2)], { expectedRevision: 'no_stream' });
    await before.close();

    const store = SqliteEventStore.open(file);
    try {
      expect(await store.readAll()).toEqual(first.events);
      const next = await store.append('s-1', [newEvent(3)], { expectedRevision: 1 });
      expect(next.position).toBe(3);
      expect(next.events[0]!.prevHash).toBe(first.events[1]!.hash);
      expect((await store.readStream('s-1')).map((e) => e.revision)).toEqual([0, 1, 2]);
      await expect(
        store.append('s-2', [newEvent(4, { eventId: first.events[0]!.eventId })], { expectedRevision: 'no_stream' }),
      ).rejects.toBeInstanceOf(ConcurrencyError);
    } finally {
      await store.close();
    }
    // Nothing rewrote the table: it still numbers through sqlite_sequence.
    expect(
      inspect(file, (db) =>
        db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'").get(),
      ),
    ).toEqual({ seq: 3 });
  });
});
