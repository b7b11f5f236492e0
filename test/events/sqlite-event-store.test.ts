import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/events/sqlite/sqlite-event-store.js';
import type { RecordedEvent } from '../../src/events/event-envelope.js';
import { eventStoreContract, newEvent } from './event-store.contract.js';

const tempFile = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-es-'));
  return { file: path.join(dir, 'events.sqlite'), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
};

eventStoreContract('SQLite', async () => {
  const { file, remove } = tempFile();
  const store = SqliteEventStore.open(file, { pollIntervalMs: 20 });
  return { store, cleanup: async () => (await store.close(), remove()) };
});

describe('SQLite event store', () => {
  it('runs in WAL mode with synchronous=FULL, so an acknowledged append is on disk', async () => {
    const { file, remove } = tempFile();
    const store = SqliteEventStore.open(file);
    const probe = new Database(file, { readonly: true });
    expect(probe.pragma('journal_mode', { simple: true })).toBe('wal');
    probe.close();
    // synchronous is per connection: read it from the store's own.
    expect((store as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true })).toBe(2);
    await store.close();
    remove();
  });

  it('keeps events across closing and reopening the file', async () => {
    const { file, remove } = tempFile();
    let store = SqliteEventStore.open(file);
    await store.append('s-1', [newEvent(1), newEvent(2)], { expectedRevision: 'no_stream' });
    await store.close();
    store = SqliteEventStore.open(file);
    expect((await store.readStream('s-1')).map((e) => e.data['n'])).toEqual([1, 2]);
    await store.close();
    remove();
  });

  it('a subscription sees appends made through another connection to the same file (another process)', async () => {
    const { file, remove } = tempFile();
    const reader = SqliteEventStore.open(file, { pollIntervalMs: 20 });
    const writer = SqliteEventStore.open(file);
    const seen: RecordedEvent[] = [];
    const subscription = reader.subscribeToAll({ fromPosition: 0 }, { onEvents: (batch) => void seen.push(...batch) });
    await writer.append('s-2', [newEvent(1)], { expectedRevision: 'no_stream' });
    const deadline = Date.now() + 3_000;
    while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await subscription.close();
    await Promise.all([reader.close(), writer.close()]);
    remove();
    expect(seen.map((e) => e.streamId)).toEqual(['s-2']);
  });

  it('closing twice is harmless', async () => {
    const { file, remove } = tempFile();
    const store = SqliteEventStore.open(file);
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
    remove();
  });
});
