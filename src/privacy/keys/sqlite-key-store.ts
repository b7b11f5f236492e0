import { randomBytes } from 'node:crypto';
import { truncateWal } from '../../sqlite/wal-truncation.js';
import type Database from 'better-sqlite3';
import { openSqliteFile } from '../../sqlite/open-database.js';
import { keyIdsBySubject, type KeyRef, type KeyStore } from './key-store.js';
import { Forgetting } from '../forgetting.js';
import { KEY_BYTES, KeyCache, KeyWrapper } from './key-wrap.js';
import { keyIdOf } from '../personal-value.js';

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
 * one destroying keys in the file (the embedded shape runs one server; a
 * `project` worker, `rebuild --online` and the projection thread beside it
 * open it uncached). It forgets a subject's key through `forgetting`, like
 * every other cache.
 */
export class SqliteKeyStore implements KeyStore {
  readonly forgetting = new Forgetting();
  private readonly cache: KeyCache;
  private checkpointPending = false;
  /** how many destroys removed a key: the store's generation */
  private destroyed = 0;
  private closed = false;
  private readonly selectOne: Database.Statement<[string], KeyRow>;
  private readonly selectMany: Database.Statement<[string], KeyRow>;
  private readonly insert: Database.Statement<[string, Buffer, string]>;
  private readonly remove: Database.Statement<[string]>;
  private readonly removeIfSame: Database.Statement<[string, Buffer]>;

  private constructor(
    private readonly db: Database.Database,
    private wrapper: KeyWrapper,
    keyCacheEntries: number | undefined,
  ) {
    this.forgetting.register((this.cache = new KeyCache(keyCacheEntries)));
    this.selectOne = db.prepare('SELECT subject_id, wrapped_key FROM subject_keys WHERE subject_id = ?');
    this.selectMany = db.prepare(
      'SELECT subject_id, wrapped_key FROM subject_keys WHERE subject_id IN (SELECT value FROM json_each(?))',
    );
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO subject_keys (subject_id, wrapped_key, created_at) VALUES (?, ?, ?)',
    );
    this.remove = db.prepare('DELETE FROM subject_keys WHERE subject_id = ?');
    this.removeIfSame = db.prepare('DELETE FROM subject_keys WHERE subject_id = ? AND wrapped_key = ?');
  }

  /** Opens (or creates) the key store; throws if `masterKey` is not the one it was created with. */
  static open(filePath: string, masterKey: Buffer, options: { keyCacheEntries?: number } = {}): SqliteKeyStore {
    const wrapper = new KeyWrapper(masterKey);
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
      const store = new SqliteKeyStore(db, wrapper, options.keyCacheEntries);
      store.checkMasterKey();
      return store;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  async getOrCreate(subjectId: string, initial?: Buffer): Promise<Buffer> {
    const cached = this.cache.get(subjectId);
    if (cached) return Buffer.from(cached);
    if (!this.selectOne.get(subjectId)) {
      const fresh = initial ? Buffer.from(initial) : randomBytes(KEY_BYTES);
      // OR IGNORE: if another connection created the key meanwhile, theirs wins.
      this.insert.run(subjectId, this.wrapper.wrap(subjectId, fresh), new Date().toISOString());
      fresh.fill(0);
    }
    const row = this.selectOne.get(subjectId);
    if (!row) throw new Error('The data key of a subject vanished while it was being created.');
    const key = this.wrapper.unwrap(row.subject_id, row.wrapped_key);
    const copy = Buffer.from(key);
    this.cache.set(subjectId, key);
    return copy;
  }

  async getMany(subjectIds: readonly string[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    const missing: string[] = [];
    for (const id of new Set(subjectIds)) {
      const cached = this.cache.get(id);
      if (cached) found.set(id, Buffer.from(cached));
      else missing.push(id);
    }
    if (missing.length > 0) {
      for (const row of this.selectMany.all(JSON.stringify(missing))) {
        const key = this.wrapper.unwrap(row.subject_id, row.wrapped_key);
        found.set(row.subject_id, Buffer.from(key));
        this.cache.set(row.subject_id, key);
      }
    }
    return found;
  }

  /** This process is the only one destroying keys in the file (see the class comment). */
  generation(): number {
    return this.destroyed;
  }

  async destroy(subjectId: string): Promise<boolean> {
    return (await this.destroyMany([subjectId])).length > 0;
  }

  /** One transaction for all of them, then one WAL truncation. */
  async destroyMany(subjectIds: readonly string[]): Promise<string[]> {
    const ids = [...new Set(subjectIds)];
    const deleted = this.db.transaction(() => ids.filter((id) => this.remove.run(id).changes > 0))();
    this.forgetting.forget(ids);
    return this.afterDestroy(deleted);
  }

  /**
   * One transaction: each subject's row is read, its key id compared, and the
   * row deleted only if it still holds that key. IMMEDIATE: it takes the write
   * lock before reading (waiting for it like any write), since a read
   * snapshot that another connection (the projection thread's) wrote past
   * could not be upgraded to a write.
   */
  async destroyKeys(keys: readonly KeyRef[]): Promise<KeyRef[]> {
    const wanted = keyIdsBySubject(keys);
    if (wanted.size === 0) return [];
    const deleted = this.db
      .transaction(() => {
        const gone: KeyRef[] = [];
        for (const [subjectId, keyIds] of wanted) {
          const row = this.selectOne.get(subjectId);
          if (!row) continue;
          const key = this.wrapper.unwrap(row.subject_id, row.wrapped_key);
          const keyId = keyIdOf(key);
          key.fill(0);
          if (keyIds.has(keyId) && this.removeIfSame.run(subjectId, row.wrapped_key).changes > 0)
            gone.push({ subjectId, keyId });
        }
        return gone;
      })
      .immediate();
    this.forgetting.forget(wanted.keys());
    return this.afterDestroy(deleted);
  }

  /** Counts a destroy in the generation and removes the deleted rows' last bytes from the WAL. */
  private async afterDestroy<T>(deleted: T[]): Promise<T[]> {
    if (deleted.length > 0) {
      this.checkpointPending = true;
      this.destroyed++;
    }
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
    const next = new KeyWrapper(newMasterKey);
    const rows = this.db.prepare<[], KeyRow>('SELECT subject_id, wrapped_key FROM subject_keys');
    const update = this.db.prepare<[Buffer, string]>('UPDATE subject_keys SET wrapped_key = ? WHERE subject_id = ?');
    let count = 0;
    try {
      this.db
        .transaction(() => {
          for (const row of rows.all()) {
            const key = this.wrapper.unwrap(row.subject_id, row.wrapped_key);
            update.run(next.wrap(row.subject_id, key), row.subject_id);
            key.fill(0);
            count++;
          }
          this.db
            .prepare('UPDATE key_store_meta SET value = ? WHERE name = ?')
            .run(next.checkValue(), 'master_key_check');
        })
        .immediate();
    } catch (error) {
      next.destroy(); // rolled back: still under the old key
      throw error;
    }
    this.wrapper.destroy();
    this.wrapper = next;
    this.checkpointPending = true;
    await this.truncateWal();
    return count;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cache.clear();
    this.wrapper.destroy();
    this.db.close(); // the last connection checkpoints and removes the WAL
  }

  /** Copies the WAL into the database and truncates it to zero bytes (when another connection keeps it busy: again at the next destroy). */
  private async truncateWal(): Promise<void> {
    if (await truncateWal(this.db)) this.checkpointPending = false;
  }

  /** Stores the master key's check value on first open (KeyWrapper.checkValue) and verifies it on every open. */
  private checkMasterKey(): void {
    const check = this.wrapper.checkValue();
    const read = this.db.prepare<[string], { value: Buffer }>('SELECT value FROM key_store_meta WHERE name = ?');
    this.db
      .transaction(() => {
        if (read.get('master_key_check')) return;
        // A store without a check value: any key it already holds must unwrap.
        const any = this.db.prepare<[], KeyRow>('SELECT subject_id, wrapped_key FROM subject_keys LIMIT 1').get();
        if (any) this.wrapper.unwrap(any.subject_id, any.wrapped_key).fill(0);
        this.db.prepare('INSERT INTO key_store_meta (name, value) VALUES (?, ?)').run('master_key_check', check);
      })
      .immediate();
    this.wrapper.verify(read.get('master_key_check')?.value);
  }
}
