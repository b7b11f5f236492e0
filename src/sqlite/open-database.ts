import Database from 'better-sqlite3';
import { ownerOnlyFile } from '../data-dir-permissions.js';

/**
 * Megabytes of the log each connection maps (`--log-mmap-mb`): none by
 * default. A mapped page a read touched stays in the process's RSS, once per
 * connection (the server has two: its own and the projection thread's), so
 * with the former 1 GiB the RSS grew with the log: reading a 147 MB log on
 * two connections added 293 MB of RSS mapped, 3 MB unmapped, and batch reads
 * ran at the same ~1M rows/s once the file was in the OS cache either way.
 */
export const LOG_MMAP_MB = 0;

export interface SqliteFileOptions {
  /**
   * FULL: every commit is fsynced before it returns (the log, the keys).
   * NORMAL: commits stay atomic but the last ones may be lost on power loss
   * (read models, which are rebuilt from the log).
   */
  synchronous: 'FULL' | 'NORMAL';
  /** overwrite deleted content with zeros (anything that may hold personal data) */
  secureDelete: boolean;
  /** bytes to memory-map, for files read in long sweeps */
  mmapBytes?: number;
}

/**
 * Opens one of the embedded shape's SQLite files: creates its folder (0700)
 * and the file (0600, so SQLite gives its -wal and -shm the same), puts
 * it in WAL mode (readers never block the writer) and applies the
 * durability the file needs. Every embedded adapter opens its file here.
 */
export function openSqliteFile(filePath: string, options: SqliteFileOptions): Database.Database {
  ownerOnlyFile(filePath);
  const db = new Database(filePath, { timeout: 5_000 });
  try {
    if (db.pragma('journal_mode = WAL', { simple: true }) !== 'wal') {
      throw new Error(`${filePath} cannot use write-ahead logging.`);
    }
    db.pragma(`synchronous = ${options.synchronous}`);
    db.pragma(`secure_delete = ${options.secureDelete ? 'ON' : 'OFF'}`);
    if (options.mmapBytes) db.pragma(`mmap_size = ${options.mmapBytes}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
