import type Database from 'better-sqlite3';
import { systemClock, type Clock } from '../../../clock.js';
import { openSqliteFile } from '../../../sqlite/open-database.js';
import { checkTtl, RELEASED, type LeaseGrant, type LeaseStore } from '../lease.js';

/** The leases live in the read-model file, where SqliteReadStore.write checks a fence's token. */
export const LEASES_TABLE =
  'CREATE TABLE IF NOT EXISTS _leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, token INTEGER NOT NULL, expires_at INTEGER NOT NULL)';

interface LeaseRow {
  name: string;
  holder: string;
  token: number;
  expires_at: number;
}

const grant = (row: LeaseRow): LeaseGrant => ({
  name: row.name,
  holder: row.holder,
  token: row.token,
  expiresAt: row.expires_at,
});

/**
 * Leases for the embedded shape: several workers (processes, or runners in
 * one process) on one data directory, each with its own connection to the
 * read-model file. Each change runs in a BEGIN IMMEDIATE transaction, so
 * reading the lease and taking it are one step for every connection.
 *
 * Durability is the read models' (synchronous=NORMAL): a power loss may
 * lose the last commits, but the WAL keeps them in order, so a lost lease
 * change loses every read-model write fenced by it too.
 */
export class SqliteLeaseStore implements LeaseStore {
  private readonly select: Database.Statement<[string], LeaseRow>;
  private readonly takeTx: Database.Transaction<(name: string, holder: string, ttlMs: number) => LeaseGrant | null>;

  private constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock,
  ) {
    this.select = db.prepare('SELECT name, holder, token, expires_at FROM _leases WHERE name = ?');
    const insert = db.prepare('INSERT INTO _leases (name, holder, token, expires_at) VALUES (?, ?, 1, ?)');
    const take = db.prepare('UPDATE _leases SET holder = ?, token = ?, expires_at = ? WHERE name = ?');
    this.takeTx = db.transaction((name: string, holder: string, ttlMs: number) => {
      const now = this.now();
      const row = this.select.get(name);
      if (!row) insert.run(name, holder, now + ttlMs);
      else if (row.expires_at > now && row.holder !== holder) return null;
      else
        take.run(holder, row.holder === holder && row.expires_at > now ? row.token : row.token + 1, now + ttlMs, name);
      return grant(this.select.get(name)!);
    });
  }

  /** Opens the lease table in the read-model file (creating both if missing). */
  static open(filePath: string, clock: Clock = systemClock): SqliteLeaseStore {
    const db = openSqliteFile(filePath, { synchronous: 'NORMAL', secureDelete: true });
    db.exec(LEASES_TABLE);
    return new SqliteLeaseStore(db, clock);
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  async acquire(name: string, holder: string, ttlMs: number): Promise<LeaseGrant | null> {
    checkTtl(ttlMs);
    return this.takeTx.immediate(name, holder, ttlMs);
  }

  async renew(lease: LeaseGrant, ttlMs: number): Promise<LeaseGrant | null> {
    checkTtl(ttlMs);
    const now = this.now();
    const changed = this.db
      .prepare('UPDATE _leases SET expires_at = ? WHERE name = ? AND holder = ? AND token = ? AND expires_at <> ?')
      .run(now + ttlMs, lease.name, lease.holder, lease.token, RELEASED).changes;
    return changed === 0 ? null : { ...lease, expiresAt: now + ttlMs };
  }

  async release(lease: LeaseGrant): Promise<void> {
    this.db
      .prepare('UPDATE _leases SET expires_at = ? WHERE name = ? AND holder = ? AND token = ?')
      .run(RELEASED, lease.name, lease.holder, lease.token);
  }

  async current(name: string): Promise<LeaseGrant | null> {
    const row = this.select.get(name);
    return row ? grant(row) : null;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
