import { randomBytes, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { openSqliteFile } from '../sqlite/open-database.js';
import type { KeyStore } from './key-store.js';
import { KEY_BYTES, masterKeyCheck, unwrapKey, wrapKey } from './key-wrapping.js';

const CACHE_SIZE = 10_000;
const CHECKPOINT_ATTEMPTS = 20;

const MISMATCH =
  'The master key does not match the key store (use the master key it was created with: PRIVACY_LEDGER_MASTER_KEY or master.key), or the key store was altered.';

interface KeyRow {
  subject_id: string;
  wrapped_key: Buffer;
}

/**
 * The embedded key store: one SQLite file holding each subject's data key
 * wrapped (AES-256-GCM, subject id as additional data) by the master key.
 * Raw data keys exist only in memory. Erasure deletes the row with
 * secure_delete on and then truncates the WAL, so neither the raw nor the
 * wrapped key survives in any file of the store.
 *
 * After erasure getOrCreate makes a fresh key for the same subject: values
 * sealed under the destroyed key stay unreadable for good.
 *
 * Unwrapped keys are cached (LRU); the cache assumes this process is the only
 * one destroying keys in the file (the embedded shape runs one server).
 */
export class SqliteKeyStore implements KeyStore {
  private readonly cache = new Map<string, Buffer>();
  private checkpointPending = false;
  private closed = false;
  private readonly selectOne: Database.Statement<[string], KeyRow>;
  private readonly selectMany: Database.Statement<[string], KeyRow>;
  private readonly insert: Database.Statement<[string, Buffer, string]>;
  private readonly remove: Database.Statement<[string]>;

  private constructor(
    private readonly db: Database.Database,
    private readonly masterKey: Buffer,
  ) {
    this.selectOne = db.prepare('SELECT subject_id, wrapped_key FROM subject_keys WHERE subject_id = ?');
    this.selectMany = db.prepare(
      'SELECT subject_id, wrapped_key FROM subject_keys WHERE subject_id IN (SELECT value FROM json_each(?))',
    );
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO subject_keys (subject_id, wrapped_key, created_at) VALUES (?, ?, ?)',
    );
    this.remove = db.prepare('DELETE FROM subject_keys WHERE subject_id = ?');
  }

  /** Opens (or creates) the key store; throws if `masterKey` is not the one it was created with. */
  static open(filePath: string, masterKey: Buffer): SqliteKeyStore {
    if (!Buffer.isBuffer(masterKey) || masterKey.length !== KEY_BYTES) {
      throw new Error(`The master key must be ${KEY_BYTES} bytes.`);
    }
    // FULL: a key must be durable before any event sealed with it is
    // acknowledged. secure_delete: a destroyed key is overwritten, not unlinked.
    const db = openSqliteFile(filePath, { synchronous: 'FULL', secureDelete: true });
    try {
      db.exec(`
        CREATE TABLE IF NOT EXISTS subject_keys (
          subject_id TEXT PRIMARY KEY,
          wrapped_key BLOB NOT NULL,
          created_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS key_store_meta (
          name TEXT PRIMARY KEY,
          value BLOB NOT NULL
        );
      `);
      const store = new SqliteKeyStore(db, Buffer.from(masterKey));
      store.checkMasterKey();
      return store;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  async getOrCreate(subjectId: string): Promise<Buffer> {
    const cached = this.cacheGet(subjectId);
    if (cached) return Buffer.from(cached);
    if (!this.selectOne.get(subjectId)) {
      const fresh = randomBytes(KEY_BYTES);
      // OR IGNORE: if another connection created the key meanwhile, theirs wins.
      this.insert.run(subjectId, this.wrap(subjectId, fresh), new Date().toISOString());
      fresh.fill(0);
    }
    const row = this.selectOne.get(subjectId);
    if (!row) throw new Error('The data key of a subject vanished while it was being created.');
    const key = this.unwrap(row.subject_id, row.wrapped_key);
    this.cacheSet(subjectId, key);
    return Buffer.from(key);
  }

  async getMany(subjectIds: readonly string[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    const missing: string[] = [];
    for (const id of new Set(subjectIds)) {
      const cached = this.cacheGet(id);
      if (cached) found.set(id, Buffer.from(cached));
      else missing.push(id);
    }
    if (missing.length > 0) {
      for (const row of this.selectMany.all(JSON.stringify(missing))) {
        const key = this.unwrap(row.subject_id, row.wrapped_key);
        this.cacheSet(row.subject_id, key);
        found.set(row.subject_id, Buffer.from(key));
      }
    }
    return found;
  }

  async destroy(subjectId: string): Promise<boolean> {
    return (await this.destroyMany([subjectId])).length > 0;
  }

  async destroyMany(subjectIds: readonly string[]): Promise<string[]> {
    const ids = [...new Set(subjectIds)];
    for (const id of ids) this.evict(id);
    const deleted = this.db.transaction(() => ids.filter((id) => this.remove.run(id).changes > 0))();
    if (deleted.length > 0) this.checkpointPending = true;
    // The wrapped keys' bytes are still in the WAL until it is checkpointed and truncated.
    if (this.checkpointPending) await this.truncateWal();
    return deleted;
  }

  /**
   * Re-wraps every data key under `newMasterKey` in one transaction (with the
   * check value), so the file is under the old key or the new one, never a
   * mix; then truncates the WAL, so no page of the old wrapping lingers
   * there. The store goes on under the new key. Returns how many keys.
   */
  async rotateMasterKey(newMasterKey: Buffer): Promise<number> {
    if (!Buffer.isBuffer(newMasterKey) || newMasterKey.length !== KEY_BYTES) {
      throw new Error(`The master key must be ${KEY_BYTES} bytes.`);
    }
    const rows = this.db.prepare<[], KeyRow>('SELECT subject_id, wrapped_key FROM subject_keys');
    const update = this.db.prepare<[Buffer, string]>('UPDATE subject_keys SET wrapped_key = ? WHERE subject_id = ?');
    const oldMasterKey = Buffer.from(this.masterKey);
    let count = 0;
    try {
      this.db
        .transaction(() => {
          const raw = rows.all().map((row) => ({ subjectId: row.subject_id, key: this.unwrap(row.subject_id, row.wrapped_key) }));
          newMasterKey.copy(this.masterKey);
          for (const { subjectId, key } of raw) {
            update.run(this.wrap(subjectId, key), subjectId);
            key.fill(0);
          }
          this.db.prepare('UPDATE key_store_meta SET value = ? WHERE name = ?').run(masterKeyCheck(this.masterKey), 'master_key_check');
          count = raw.length;
        })
        .immediate();
    } catch (error) {
      oldMasterKey.copy(this.masterKey); // rolled back: still the old key
      throw error;
    } finally {
      oldMasterKey.fill(0);
    }
    this.checkpointPending = true;
    await this.truncateWal();
    return count;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const key of this.cache.values()) key.fill(0);
    this.cache.clear();
    this.masterKey.fill(0);
    this.db.close(); // the last connection checkpoints and removes the WAL
  }

  /** Copies the WAL into the database and truncates it to zero bytes. */
  private async truncateWal(): Promise<void> {
    for (let attempt = 0; attempt < CHECKPOINT_ATTEMPTS; attempt++) {
      const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
      if (result && result.busy === 0) {
        this.checkpointPending = false;
        return;
      }
      // Another connection is reading; try again shortly (and at the next destroy).
      await sleep(25 * (attempt + 1));
    }
  }

  private wrap(subjectId: string, key: Buffer): Buffer {
    return wrapKey(this.masterKey, subjectId, key);
  }

  private unwrap(subjectId: string, wrapped: Buffer): Buffer {
    const key = unwrapKey(this.masterKey, subjectId, wrapped);
    if (!key) throw new Error(MISMATCH);
    return key;
  }

  /**
   * Stores a check value (an HMAC of a constant, revealing nothing about the
   * key) on first open, and compares it on every later open, so a wrong
   * master key fails at start-up rather than at the first read, and can
   * never wrap new keys into a store that holds keys of another master key.
   */
  private checkMasterKey(): void {
    const check = masterKeyCheck(this.masterKey);
    const read = this.db.prepare<[string], { value: Buffer }>('SELECT value FROM key_store_meta WHERE name = ?');
    this.db
      .transaction(() => {
        if (read.get('master_key_check')) return;
        // A store without a check value: any key it already holds must unwrap.
        const any = this.db
          .prepare<[], KeyRow>('SELECT subject_id, wrapped_key FROM subject_keys LIMIT 1')
          .get();
        if (any) this.unwrap(any.subject_id, any.wrapped_key).fill(0);
        this.db.prepare('INSERT INTO key_store_meta (name, value) VALUES (?, ?)').run('master_key_check', check);
      })
      .immediate();
    const stored = read.get('master_key_check')?.value;
    if (!stored || stored.length !== check.length || !timingSafeEqual(stored, check)) {
      throw new Error(MISMATCH);
    }
  }

  private cacheGet(subjectId: string): Buffer | undefined {
    const key = this.cache.get(subjectId);
    if (key) {
      // most recently used goes last
      this.cache.delete(subjectId);
      this.cache.set(subjectId, key);
    }
    return key;
  }

  private cacheSet(subjectId: string, key: Buffer): void {
    this.cache.delete(subjectId);
    this.cache.set(subjectId, key);
    if (this.cache.size > CACHE_SIZE) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.evict(oldest);
    }
  }

  private evict(subjectId: string): void {
    this.cache.get(subjectId)?.fill(0);
    this.cache.delete(subjectId);
  }
}
