import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConcurrencyError } from '../../../../src/errors.js';
import type { RecordedEvent } from '../../../../src/events/store/event-envelope.js';
import { chainHash } from '../../../../src/events/store/hash-chain.js';
import { DurableBoundary } from '../../../../src/events/store/sqlite/durable-boundary.js';
import {
  SqliteEventStore,
  type SqliteEventStoreOptions,
} from '../../../../src/events/store/sqlite/sqlite-event-store.js';
import { eventStoreContract, newEvent } from '../event-store.contract.js';
import { createPreviousFormatLog } from './earlier-log-format.js';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'pl-es-'));

// A poll interval far longer than any test: every live delivery the contract
// sees comes from the store waking its own subscriptions on append.
for (const writeOn of ['loop', 'thread'] as const) {
  eventStoreContract(
    `SQLite, written on the ${writeOn === 'loop' ? 'event loop' : 'writer thread'}`,
    async () => {
      const dir = tempDir();
      const store = SqliteEventStore.open(path.join(dir, 'events.sqlite'), { pollIntervalMs: 600_000, writeOn });
      return {
        store,
        cleanup: async () => {
          await store.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
    { freshLogCountingFromOne: true, refusesEventIdsAlreadyInLog: false },
  );
}

describe.each(['loop', 'thread'] as const)('SQLite event store, written on the %s', (writeOn) => {
  const opened: SqliteEventStore[] = [];
  const dirs: string[] = [];
  const newFile = () => {
    const dir = tempDir();
    dirs.push(dir);
    return path.join(dir, 'events.sqlite');
  };
  const open = (file: string, options?: SqliteEventStoreOptions) => {
    const store = SqliteEventStore.open(file, { writeOn, ...options });
    opened.push(store);
    return store;
  };
  /** A second connection to the file, as another process (or an operator) would have. */
  const withConnection = <T>(file: string, use: (db: Database.Database) => T): T => {
    const db = new Database(file);
    try {
      return use(db);
    } finally {
      db.close();
    }
  };

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs in WAL mode with synchronous=NORMAL (it fsyncs the WAL itself before acknowledging), a 5 s busy timeout and foreign keys on', () => {
    const store = open(newFile());
    // These are per connection: read them from the store's own.
    const db = (store as unknown as { db: Database.Database }).db;
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('creates the folder and the file when they are missing', async () => {
    const file = path.join(tempDir(), 'nested', 'deeper', 'events.sqlite');
    dirs.push(path.dirname(path.dirname(path.dirname(file))));
    const store = open(file);
    await store.append('s-1', [newEvent(1)], { expectedRevision: 'no_stream' });
    expect(fs.existsSync(file)).toBe(true);
  });

  it('keeps events across closing and reopening the file, and the chain and positions carry on', async () => {
    const file = newFile();
    const first = SqliteEventStore.open(file, { writeOn });
    const before = await first.append('s-1', [newEvent(1), newEvent(2)], { expectedRevision: 'no_stream' });
    await first.close();
    const reopened = open(file);
    expect(await reopened.readStream('s-1')).toEqual(before.events);
    const after = await reopened.append('s-1', [newEvent(3)], { expectedRevision: 1 });
    expect(after.events[0]).toMatchObject({ revision: 2, position: 3, prevHash: before.events[1]!.hash });
  });

  it('stores data and metadata as exactly the JSON the hash covers', async () => {
    const file = newFile();
    const store = open(file);
    const event = newEvent(1);
    await store.append('s-1', [event], { expectedRevision: 'no_stream' });
    const row = withConnection(file, (db) =>
      db.prepare('SELECT data, metadata, prev_hash, hash FROM events WHERE event_id = ?').get(event.eventId),
    ) as { data: string; metadata: string; prev_hash: string; hash: string };
    expect(row.data).toBe(JSON.stringify(event.data));
    expect(row.metadata).toBe(JSON.stringify(event.metadata));
    expect(chainHash('s-1', 0, event, row.data, row.metadata, row.prev_hash)).toBe(row.hash);
  });

  it('never hands out a position again: the file itself refuses to remove an event', async () => {
    const file = newFile();
    const store = open(file);
    const first = await store.append('s-1', [newEvent(1), newEvent(2)], { expectedRevision: 'no_stream' });
    expect(() =>
      withConnection(file, (db) => db.prepare('DELETE FROM events WHERE position = ?').run(first.position)),
    ).toThrow(/append-only/);
    const next = await store.append('s-2', [newEvent(3)], { expectedRevision: 'no_stream' });
    expect(next.position).toBe(first.position + 1);
  });

  it('a row whose JSON was damaged fails its read with an error that names its position and quotes nothing of it', async () => {
    const file = newFile();
    const store = open(file);
    await store.append('s-1', [newEvent(1)], { expectedRevision: 'no_stream' });
    const damaged = '{"email": ann.secret@example.com}'; // V8 quotes the text around an unexpected token
    withConnection(file, (db) => db.prepare("UPDATE events SET data = ? WHERE stream_id = 's-1'").run(damaged));
    const read = store.readAll({ fromPosition: 0 });
    await expect(read).rejects.toThrow(/^the log row at position \d+ holds no valid JSON in its data$/);
    await read.catch((error: Error) => expect(String(error.stack)).not.toContain('secret'));
  });

  it('a subscription sees appends that another store on the same file makes, by polling', async () => {
    const file = newFile();
    const reader = open(file, { pollIntervalMs: 20 });
    const writer = open(file);
    const seen: RecordedEvent[] = [];
    const subscription = reader.subscribeToAll({ fromPosition: 0 }, { onEvents: (batch) => void seen.push(...batch) });
    const written = await writer.append('s-2', [newEvent(1), newEvent(2)], { expectedRevision: 'no_stream' });
    await expect.poll(() => seen.length).toBe(2);
    await subscription.close();
    expect(seen).toEqual(written.events);
  });

  it("two stores on the same file see each other's revisions: a stale append from either conflicts", async () => {
    const file = newFile();
    const one = open(file);
    const two = open(file);
    await one.append('s-1', [newEvent(1)], { expectedRevision: 'no_stream' });
    await expect(two.append('s-1', [newEvent(2)], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    await two.append('s-1', [newEvent(2)], { expectedRevision: 0 });
    await expect(one.append('s-1', [newEvent(3)], { expectedRevision: 0 })).rejects.toMatchObject({
      expected: '0',
      actual: '1',
    });
    expect((await one.readAll()).map((e) => e.position)).toEqual([1, 2]);
  });

  it('a stream read to its end, then appended to by another store on the same file, reads the new events', async () => {
    const file = newFile();
    const reader = open(file);
    const writer = open(file);
    await reader.append('s-1', [newEvent(1)], { expectedRevision: 'no_stream' });
    // The reader knows where s-1 ends (its own append, then a read to the end)...
    expect(await reader.readStream('s-1', { fromRevision: 1 })).toEqual([]);
    const appended = await writer.append('s-1', [newEvent(2)], { expectedRevision: 0 });
    // ...and still sees what the other connection added after it (on the writer thread: once that thread has looked, within 20 ms).
    await expect.poll(() => reader.readStream('s-1', { fromRevision: 1 })).toEqual(appended.events);
    expect((await reader.readStream('s-1')).map((e) => e.revision)).toEqual([0, 1]);
  });

  it('appends made in one turn share a transaction, yet a failed expectation rejects only its own append', async () => {
    const store = open(newFile());
    await store.append('s-1', [newEvent(1)], { expectedRevision: 'no_stream' });
    const [ok, stale, other] = await Promise.allSettled([
      store.append('s-1', [newEvent(2)], { expectedRevision: 0 }),
      store.append('s-1', [newEvent(3)], { expectedRevision: 0 }),
      store.append('s-2', [newEvent(4)], { expectedRevision: 'no_stream' }),
    ]);
    expect(ok).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 1 } });
    expect(stale).toMatchObject({ status: 'rejected', reason: expect.any(ConcurrencyError) });
    expect(other).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 0 } });
    expect((await store.readAll()).map((e) => [e.streamId, e.revision])).toEqual([
      ['s-1', 0],
      ['s-1', 1],
      ['s-2', 0],
    ]);
  });

  it('an append that fails after writing part of itself, in a batch of several, leaves nothing of itself and the others commit', async () => {
    // A log in the earlier format refuses an id already in the log only when the insert hits its unique index.
    const file = newFile();
    createPreviousFormatLog(file);
    const store = open(file);
    const taken = newEvent(1);
    await store.append('s-1', [taken], { expectedRevision: 'no_stream' });
    const [before, failed, after] = await Promise.allSettled([
      store.append('s-2', [newEvent(2)], { expectedRevision: 'no_stream' }),
      // its first event is written before its second turns out to be in the log already
      store.append('s-3', [newEvent(3), { ...newEvent(4), eventId: taken.eventId }], { expectedRevision: 'no_stream' }),
      store.append('s-4', [newEvent(5)], { expectedRevision: 'no_stream' }),
    ]);
    expect(before).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 0 } });
    expect(failed).toMatchObject({ status: 'rejected', reason: expect.any(ConcurrencyError) });
    expect(after).toMatchObject({ status: 'fulfilled' });
    expect((await store.readAll()).map((e) => e.streamId)).toEqual(['s-1', 's-2', 's-4']);
    expect(await store.readStream('s-3')).toEqual([]);
    // positions stay dense and in order: the rolled-back attempt handed none out
    expect((await store.readAll()).map((e) => e.position)).toEqual([1, 2, 3]);
  });

  it('with a shared durable boundary, the appending store marks its commits not durable before others can see them, until its fsync', async () => {
    const shared = new DurableBoundary();
    const store = open(newFile(), { boundary: { role: 'publish', shared } });
    // Acknowledged: the writer is up (a writer thread may take a while to start on a loaded machine).
    await store.append('s-1', [newEvent(1)], { expectedRevision: 'no_stream' });
    expect(shared.get()).toBeUndefined();
    if (writeOn === 'loop') {
      const appended = store.append('s-1', [newEvent(2)], { expectedRevision: 0 });
      await new Promise((resolve) => setImmediate(resolve)); // committed (visible to any connection), the fsync still running
      expect(shared.get()).toBe(2);
      await appended;
      expect(shared.get()).toBeUndefined();
      return;
    }
    // The writer thread sets it before its commit and clears it after its fsync. Watching from here races
    // the scheduler (this thread may be off its core for that whole window on a loaded machine): append
    // until one is caught inside it. Whatever is seen must be the append's own position.
    let caught = false;
    for (let attempt = 0; attempt < 50 && !caught; attempt++) {
      const position = 2 + attempt;
      const appended = store.append('s-1', [newEvent(100 + attempt)], { expectedRevision: 'any' });
      await new Promise((resolve) => setImmediate(resolve)); // the turn's appends are posted at its end
      let marked: number | undefined;
      const deadline = Date.now() + 250;
      while ((marked = shared.get()) === undefined && Date.now() < deadline); // one read per look: it may clear at any moment
      if (marked !== undefined) {
        expect(marked).toBe(position);
        caught = true;
      }
      expect((await appended).position).toBe(position);
      expect(shared.get()).toBeUndefined();
    }
    expect(caught).toBe(true);
  }, 30_000);

  it('a store following that boundary (another thread) delivers nothing past it, and wakes when more is announced durable', async () => {
    const file = newFile();
    const shared = new DurableBoundary();
    const writer = open(file);
    const follower = open(file, { pollIntervalMs: 600_000, boundary: { role: 'follow', shared } });
    const first = await writer.append('s-1', [newEvent(1)], { expectedRevision: 'no_stream' });
    const second = await writer.append('s-1', [newEvent(2)], { expectedRevision: 0 });
    shared.set(second.position); // as if the other thread had not fsynced it yet
    const seen: RecordedEvent[] = [];
    const subscription = follower.subscribeToAll(
      { fromPosition: 0 },
      { onEvents: (batch) => void seen.push(...batch) },
    );
    await expect.poll(() => seen.length).toBe(1);
    expect(seen).toEqual(first.events);
    shared.set(undefined);
    shared.announce();
    await expect.poll(() => seen.length).toBe(2);
    expect(seen).toEqual([...first.events, ...second.events]);
    await subscription.close();
  });

  it("delivers another connection's commits only once it has fsynced the log itself: they are visible before they are durable", async () => {
    const file = newFile();
    const reader = open(file, { pollIntervalMs: 20 });
    const other = open(file);
    await other.append('s-0', [newEvent(0)], { expectedRevision: 'no_stream' }); // the other store's writer is up
    const order: string[] = [];
    const fdatasyncSync = fs.fdatasyncSync.bind(fs);
    const spy = vi.spyOn(fs, 'fdatasyncSync').mockImplementation((fd) => {
      order.push('sync');
      fdatasyncSync(fd);
    });
    try {
      const subscription = reader.subscribeToAll(
        { fromPosition: 1 },
        { onEvents: (batch) => void order.push(...batch.map((e) => `deliver ${e.position}`)) },
      );
      await other.append('s-1', [newEvent(1)], { expectedRevision: 'no_stream' });
      await expect.poll(() => order.filter((o) => o.startsWith('deliver'))).toEqual(['deliver 2']);
      expect(order).toEqual(['sync', 'deliver 2']);
      await subscription.close();
    } finally {
      spy.mockRestore();
    }
  });

  it('delivers its own appends without an fsync of its own: their durability is known', async () => {
    // Woken by its appends only: a poll landing between the writer thread's fsync and its answer would sync once more (harmless, but not this case).
    const store = open(newFile(), { pollIntervalMs: 600_000 });
    const spy = vi.spyOn(fs, 'fdatasyncSync');
    try {
      const seen: number[] = [];
      const subscription = store.subscribeToAll(
        { fromPosition: 0 },
        { onEvents: (batch) => void seen.push(...batch.map((e) => e.position)) },
      );
      await store.append('s-1', [newEvent(1), newEvent(2)], { expectedRevision: 'no_stream' });
      await expect.poll(() => seen).toEqual([1, 2]);
      expect(spy).not.toHaveBeenCalled();
      await subscription.close();
    } finally {
      spy.mockRestore();
    }
  });

  it("a store following another thread's boundary delivers what that thread made durable without an fsync of its own", async () => {
    const file = newFile();
    const shared = new DurableBoundary();
    const writer = open(file, { boundary: { role: 'publish', shared } });
    const follower = open(file, { pollIntervalMs: 600_000, boundary: { role: 'follow', shared } });
    const appended = await writer.append('s-1', [newEvent(1), newEvent(2)], { expectedRevision: 'no_stream' });
    expect(shared.durableThrough()).toBe(appended.position);
    const spy = vi.spyOn(fs, 'fdatasyncSync');
    try {
      const seen: number[] = [];
      const subscription = follower.subscribeToAll(
        { fromPosition: 0 },
        { onEvents: (batch) => void seen.push(...batch.map((e) => e.position)) },
      );
      await expect.poll(() => seen).toEqual([1, 2]);
      expect(spy).not.toHaveBeenCalled();
      await subscription.close();
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses a batch size below 1', () => {
    const store = open(newFile());
    expect(() => store.subscribeToAll({ fromPosition: 0, batchSize: 0 }, { onEvents: () => {} })).toThrow(RangeError);
  });

  it('refuses to be used once closed', async () => {
    const store = open(newFile());
    await store.close();
    await expect(store.append('s-1', [newEvent(1)], { expectedRevision: 'any' })).rejects.toThrow('closed');
    await expect(store.readAll()).rejects.toThrow('closed');
    expect(() => store.subscribeToAll({ fromPosition: 0 }, { onEvents: () => {} })).toThrow('closed');
  });
});
