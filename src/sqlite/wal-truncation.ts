import { setTimeout as sleep } from 'node:timers/promises';
import type Database from 'better-sqlite3';

const ATTEMPTS = 20;

/**
 * Copies the WAL into the database and truncates it to zero bytes, so that
 * what a secure_delete commit removed does not linger in old WAL frames.
 * Another connection reading an older snapshot makes it busy: it tries again
 * shortly, and answers whether it got through.
 */
export async function truncateWal(db: Database.Database): Promise<boolean> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    if (result && result.busy === 0) return true;
    await sleep(25 * (attempt + 1));
  }
  return false;
}
