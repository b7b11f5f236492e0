import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ConcurrencyError } from '../../../../src/errors.js';
import { DurableBoundary } from '../../../../src/events/store/sqlite/durable-boundary.js';
import { serialize } from '../../../../src/events/store/sqlite/log-writes.js';
import { SqliteEventStore } from '../../../../src/events/store/sqlite/sqlite-event-store.js';
import { ThreadedLogWriter } from '../../../../src/events/store/sqlite/threaded-log-writer.js';
import { newEvent } from '../event-store.contract.js';

// The event store contract and the store's own tests run on the writer
// thread too (./sqlite-event-store.test.ts); these are what only a thread shows.
describe('the SQLite log written on a thread of its own', () => {
  const dirs: string[] = [];
  const stores: SqliteEventStore[] = [];
  const newFile = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-writer-'));
    dirs.push(dir);
    return path.join(dir, 'events.sqlite');
  };
  const open = (file: string) => {
    const store = SqliteEventStore.open(file, { writeOn: 'thread' });
    stores.push(store);
    return store;
  };

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the event loop running while another process holds the write lock, and commits once it is released', async () => {
    const file = newFile();
    const store = open(file);
    await store.append('s-1', [newEvent(1)], { expectedRevision: 'no_stream' });
    const other = new Database(file);
    try {
      other.exec('BEGIN IMMEDIATE');
      let settled = false;
      const appended = store.append('s-1', [newEvent(2)], { expectedRevision: 0 }).finally(() => (settled = true));
      // On the event loop, the append would block this thread in SQLite's busy wait: no timer could fire.
      const ticks: number[] = [];
      for (let i = 0; i < 5; i++)
        ticks.push(await new Promise<number>((resolve) => setTimeout(() => resolve(Date.now()), 20)));
      expect(ticks).toHaveLength(5);
      expect(settled).toBe(false);
      other.exec('COMMIT');
      expect(await appended).toMatchObject({ nextExpectedRevision: 1, position: 2 });
    } finally {
      other.close();
    }
  });

  it("an append after another process appended to the same stream checks and chains onto that process's event", async () => {
    const file = newFile();
    const store = open(file);
    await store.append('s-1', [newEvent(1)], { expectedRevision: 'no_stream' });
    await store.append('s-1', [newEvent(2)], { expectedRevision: 0 });
    const other = SqliteEventStore.open(file); // another process: its own connection, committing on its own
    try {
      await other.append('s-1', [newEvent(3)], { expectedRevision: 1 });
      // The writer thread last committed revision 1 of s-1 itself: it must not take that for the stream's end.
      await expect(store.append('s-1', [newEvent(4)], { expectedRevision: 1 })).rejects.toBeInstanceOf(
        ConcurrencyError,
      );
      expect(await store.append('s-1', [newEvent(5)], { expectedRevision: 2 })).toMatchObject({
        nextExpectedRevision: 3,
        position: 4,
      });
      const stream = await other.readStream('s-1');
      expect(stream.map((e) => e.revision)).toEqual([0, 1, 2, 3]);
      expect(stream[3]!.prevHash).toBe(stream[2]!.hash);
    } finally {
      await other.close();
    }
  });

  it('refuses what it was given, and everything after, when its thread cannot open the file: nothing waits forever', async () => {
    const dir = path.dirname(newFile());
    const notAFolder = path.join(dir, 'plain-file');
    fs.writeFileSync(notAFolder, '');
    const writer = new ThreadedLogWriter(
      path.join(notAFolder, 'events.sqlite'),
      new DurableBoundary(),
      () => undefined,
    );
    const request = { streamId: 's-1', expected: 'no_stream' as const, events: [serialize(newEvent(1))] };
    await expect(writer.write([request])).rejects.toThrow(/^the log's writer thread failed: /);
    await expect(writer.write([request])).rejects.toBe(writer.failure);
    await writer.close();
  });
});
