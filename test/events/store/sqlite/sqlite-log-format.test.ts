import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ConcurrencyError } from '../../../../src/errors.js';
import { IntegrityVerifier } from '../../../../src/events/store/integrity.js';
import { upgradeLogFormat } from '../../../../src/events/store/sqlite/log-format.js';
import { SqliteEventStore } from '../../../../src/events/store/sqlite/sqlite-event-store.js';
import { newEvent } from '../event-store.contract.js';
import { createPreviousFormatLog, PREVIOUS_FORMAT, ROWID_FORMAT } from './earlier-log-format.js';

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
  const tables = (file: string) =>
    inspect(file, (db) =>
      db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all(),
    ).map((table) => table.name);
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a new log keeps no sqlite_sequence: a commit writes no page for its position', async () => {
    const file = newFile();
    const store = SqliteEventStore.open(file);
    await store.append('s-1', [newEvent(1)], { expectedRevision: 'no_stream' });
    await store.close();
    expect(tables(file)).toEqual(['events']);
  });

  /** WAL frames (pages written, and fsynced) per single-event commit to new streams, over `commits` commits. */
  const framesPerCommit = async (file: string, commits = 100): Promise<number> => {
    const store = SqliteEventStore.open(file);
    try {
      await store.append(`warm-up-${crypto.randomUUID()}`, [newEvent(0)], { expectedRevision: 'no_stream' });
      const counter = new Database(file);
      try {
        counter.pragma('wal_checkpoint(TRUNCATE)');
        for (let i = 0; i < commits; i++)
          await store.append(`s-${crypto.randomUUID()}`, [newEvent(i)], { expectedRevision: 'no_stream' });
        const [{ log }] = counter.pragma('wal_checkpoint(PASSIVE)') as [{ log: number }];
        return log / commits;
      } finally {
        counter.close();
      }
    } finally {
      await store.close();
    }
  };
  const indexes = (file: string) =>
    inspect(file, (db) =>
      db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name").all(),
    ).map((index) => index.name);

  it('a single-event commit to a new log writes its table page and its stream index page, no page for an event-id index', async () => {
    const file = newFile();
    // The rest above 2 is page 1 when the file grows, and now and then a split.
    expect(await framesPerCommit(file)).toBeLessThan(2.5);
    expect(indexes(file)).toEqual(['sqlite_autoindex_events_1']); // (stream_id, revision)
  });

  it('a log in the previous format opens as it is: its events read back, appends continue its positions and its chain', async () => {
    const file = newFile();
    createPreviousFormatLog(file);
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

  it.each([
    ['AUTOINCREMENT and an event_id index', PREVIOUS_FORMAT, 3.5],
    ['an event_id index', ROWID_FORMAT, 2.8],
  ])(
    'upgrading a log with %s keeps every event, position and hash, and its commits then write the pages of a new log',
    async (_, format, framesBefore) => {
      const file = newFile();
      createPreviousFormatLog(file, format);
      expect(await framesPerCommit(file, 20)).toBeGreaterThan(framesBefore);
      const before = SqliteEventStore.open(file);
      await before.append('s-1', [newEvent(1), newEvent(2)], { expectedRevision: 'no_stream' });
      await before.append('s-2', [newEvent(3)], { expectedRevision: 'no_stream' });
      const written = await before.readAll();
      await before.close();

      expect(upgradeLogFormat(file)).toBe(written.length);
      expect(upgradeLogFormat(file)).toBeUndefined(); // already upgraded: nothing written

      const store = SqliteEventStore.open(file);
      try {
        expect(await store.readAll()).toEqual(written);
        const next = await store.append('s-1', [newEvent(4)], { expectedRevision: 1 });
        expect(next.position).toBe(written.at(-1)!.position + 1);
        expect(next.events[0]!.prevHash).toBe(written.find((e) => e.streamId === 's-1' && e.revision === 1)!.hash);
        expect((await new IntegrityVerifier(store).verifyAll()).firstBreak).toBeNull();
      } finally {
        await store.close();
      }
      expect(indexes(file)).toEqual(['sqlite_autoindex_events_1']);
      expect(tables(file)).toEqual(['events']); // no sqlite_sequence, as in a new log
      expect(await framesPerCommit(file)).toBeLessThan(2.5);
      // still append-only
      expect(() => {
        const db = new Database(file);
        try {
          db.exec('DELETE FROM events WHERE position = 1');
        } finally {
          db.close();
        }
      }).toThrow(/append-only/);
    },
  );
});
