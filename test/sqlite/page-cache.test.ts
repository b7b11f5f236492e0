import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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

  it('refuses a budget below 1 MB with the setting named', () => {
    expect(() => loadConfig({}, { SQLITE_CACHE_MB: '0' })).toThrow(/SQLITE_CACHE_MB/);
  });
});
