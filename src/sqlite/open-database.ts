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

/**
 * Megabytes of pages each connection keeps cached unless configured
 * (`--sqlite-cache-mb`): better-sqlite3's own default, made explicit so that
 * it no longer depends on how the library was built. A connection's cache
 * fills as it reads a file larger than this; the embedded server has nine
 * (the log three: the request thread, its writer and the projection
 * thread; the read models four; the keys two), so up to nine times this in
 * RSS, outside every heap (less: the projection thread's log keeps 2 MB).
 */
export const SQLITE_CACHE_MB = 16;

/** This thread's connections' page cache (each thread sets it from its settings before it opens a file). */
let cacheMb = SQLITE_CACHE_MB;

/** Sets the page cache of the connections this thread opens from now on. */
export function setSqliteCacheMb(megabytes: number): void {
  cacheMb = megabytes;
}

/** The page cache this thread's connections get (passed on to the threads it starts). */
export function sqliteCacheMb(): number {
  return cacheMb;
}

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
  /** megabytes of page cache, when this connection needs less than the thread's (one that only scans forward) */
  cacheMb?: number;
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
    db.pragma(`cache_size = ${-Math.min(options.cacheMb ?? cacheMb, cacheMb) * 1024}`); // negative: KiB, not pages
    if (options.mmapBytes) db.pragma(`mmap_size = ${options.mmapBytes}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
