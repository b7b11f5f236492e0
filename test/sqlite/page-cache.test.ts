import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DurableBoundary } from '../../src/events/store/sqlite/durable-boundary.js';
import { SqliteEventStore } from '../../src/events/store/sqlite/sqlite-event-store.js';
import { loadConfig } from '../../src/server/config.js';
import { openSqliteFile, setSqliteCacheMb, SQLITE_CACHE_MB } from '../../src/sqlite/open-database.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-page-cache-'));
const open = (name: string) => openSqliteFile(path.join(dir, name), { synchronous: 'NORMAL', secureDelete: false });
/** the page cache budget of a connection, in KiB (SQLite reports a KiB budget as a negative number) */
const budgetKib = (db: ReturnType<typeof open>) => -(db.pragma('cache_size', { simple: true }) as number);

describe('SQLite page cache budget', () => {
  afterEach(() => setSqliteCacheMb(SQLITE_CACHE_MB));

  it('every connection gets the default budget, whatever the library was built with', () => {
    const db = open('default.sqlite');
    expect(budgetKib(db)).toBe(SQLITE_CACHE_MB * 1024);
    db.close();
  });

  it('a configured budget holds for the connections opened after it', () => {
    const config = loadConfig({}, { SQLITE_CACHE_MB: '1' });
    setSqliteCacheMb(config.sqliteCacheMb);
    const db = open('small.sqlite');
    expect(budgetKib(db)).toBe(1024);
    db.close();
  });

  it("the projection thread's log connection, which only reads forward, keeps 2 MB; the service's keeps the budget", async () => {
    const file = path.join(dir, 'log.sqlite');
    const service = SqliteEventStore.open(file);
    const follower = SqliteEventStore.open(file, { boundary: { role: 'follow', shared: new DurableBoundary() } });
    // private: the connection's budget is not visible through the store's API
    const budgetOf = (store: SqliteEventStore) => budgetKib((store as unknown as { db: ReturnType<typeof open> }).db);
    expect(budgetOf(service)).toBe(SQLITE_CACHE_MB * 1024);
    expect(budgetOf(follower)).toBe(2 * 1024);
    await Promise.all([service.close(), follower.close()]);
    // and never more than a budget configured below it
    setSqliteCacheMb(1);
    const small = SqliteEventStore.open(file, { boundary: { role: 'follow', shared: new DurableBoundary() } });
    expect(budgetOf(small)).toBe(1024);
    await small.close();
  });

  it('refuses a budget below 1 MB with the setting named', () => {
    expect(() => loadConfig({}, { SQLITE_CACHE_MB: '0' })).toThrow(/SQLITE_CACHE_MB/);
  });
});
