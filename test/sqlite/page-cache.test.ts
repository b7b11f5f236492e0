import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DurableBoundary } from '../../src/events/store/sqlite/durable-boundary.js';
import { SqliteEventStore } from '../../src/events/store/sqlite/sqlite-event-store.js';
import { loadConfig } from '../../src/server/config.js';
import { openLedger } from '../../src/server/ledger.js';
import {
  openSqliteFile,
  setSqliteCacheMb,
  SQLITE_CACHE_MB,
  sqliteCacheMb,
  SQLITE_READ_CACHE_MB,
} from '../../src/sqlite/open-database.js';

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

  it("a server's request thread, which only reads while its threads write, keeps SQLITE_READ_CACHE_MB per connection; its threads and a ledger without them keep SQLITE_CACHE_MB", async () => {
    // private: a connection's budget is not visible through the stores' API
    const budgetOf = (store: unknown) => budgetKib((store as { db: ReturnType<typeof open> }).db);
    const ledgerOn = (name: string, env: Record<string, string>, projectionThread: boolean) =>
      openLedger(loadConfig({ dataDir: path.join(dir, name) }, env), { projectionThread });
    const server = await ledgerOn('server', {}, true);
    expect(SQLITE_READ_CACHE_MB).toBeLessThan(SQLITE_CACHE_MB);
    expect([budgetOf(server.events), budgetOf(server.reads)]).toEqual([
      SQLITE_READ_CACHE_MB * 1024,
      SQLITE_READ_CACHE_MB * 1024,
    ]);
    expect(sqliteCacheMb()).toBe(SQLITE_CACHE_MB); // what its log writer and projection thread get
    await server.close();
    const configured = await ledgerOn('configured', { SQLITE_READ_CACHE_MB: '2' }, true);
    expect(budgetOf(configured.events)).toBe(2 * 1024);
    await configured.close();
    // never more than the page cache of the threads that write
    const capped = await ledgerOn('capped', { SQLITE_CACHE_MB: '3', SQLITE_READ_CACHE_MB: '8' }, true);
    expect(budgetOf(capped.reads)).toBe(3 * 1024);
    await capped.close();
    // without those threads (tests, the CLI's commands), this thread writes: the whole budget
    const inline = await ledgerOn('inline', {}, false);
    expect([budgetOf(inline.events), budgetOf(inline.reads)]).toEqual([SQLITE_CACHE_MB * 1024, SQLITE_CACHE_MB * 1024]);
    await inline.close();
  });

  it('refuses a budget below 1 MB with the setting named', () => {
    expect(() => loadConfig({}, { SQLITE_CACHE_MB: '0' })).toThrow(/SQLITE_CACHE_MB/);
  });
});
