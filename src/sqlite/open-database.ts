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
 * thread; the read models four; the keys two): its writer's and its
 * projection thread's keep up to this (the projection thread's log 2 MB),
 * its request thread's four SQLITE_READ_CACHE_MB. All in RSS, outside
 * every heap.
 */
export const SQLITE_CACHE_MB = 16;

/**
 * Megabytes of pages each of the server's request-thread connections keeps
 * (`--sqlite-read-cache-mb`) when its log writer and projections run on
 * threads of their own: that thread then only reads (single streams whose
 * fold is not cached, documents not parsed yet, pages of lists) and writes
 * a data key now and then, and the OS's file cache serves what falls out of
 * 4 MB almost as fast. Its three connections at 16 MB were most of its
 * `malloc` in the 20-minute memory soak (45 MB).
 */
export const SQLITE_READ_CACHE_MB = 4;

/** The page cache of the connections the threads this thread starts open (each sets it from its settings before it opens a file). */
let cacheMb = SQLITE_CACHE_MB;
/** The page cache of this thread's own connections: the same, or less on a server's request thread. */
let ownCacheMb = SQLITE_CACHE_MB;

/**
 * Sets the page cache of the connections this thread opens from now on
 * (`own`, never more than `megabytes`) and of those of the threads it starts.
 */
export function setSqliteCacheMb(megabytes: number, own = megabytes): void {
  cacheMb = megabytes;
  ownCacheMb = Math.min(own, megabytes);
}

/** The page cache the threads this thread starts give their connections. */
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
    db.pragma(`cache_size = ${-Math.min(options.cacheMb ?? ownCacheMb, ownCacheMb) * 1024}`); // negative: KiB, not pages
    if (options.mmapBytes) db.pragma(`mmap_size = ${options.mmapBytes}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
