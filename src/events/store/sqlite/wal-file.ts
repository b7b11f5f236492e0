import fs from 'node:fs';
import path from 'node:path';

/**
 * A SQLite WAL held open to be fsynced: by the log's writer (on the thread
 * pool, ./wal-sync-pool.ts, or on its thread, ./log-writer-thread.ts) and
 * by a connection that only reads it (./live-delivery.ts). Opened on first
 * use (it exists once a commit was made); its folder is synced then, once,
 * so the file itself survives a power cut.
 */
export class WalFile {
  private descriptor: number | undefined;

  constructor(private readonly file: string) {}

  /** The open WAL; throws when it cannot be opened (ENOENT: no commit yet, or everything checkpointed and the WAL removed). */
  fd(): number {
    if (this.descriptor === undefined) {
      this.descriptor = fs.openSync(this.file, 'r+');
      const dir = fs.openSync(path.dirname(this.file), 'r');
      try {
        fs.fsyncSync(dir);
      } finally {
        fs.closeSync(dir);
      }
    }
    return this.descriptor;
  }

  /** fdatasync, as SQLite itself syncs on Linux: the data and what is needed to read it back (the size), not the timestamps. */
  sync(): void {
    fs.fdatasyncSync(this.fd());
  }

  close(): void {
    if (this.descriptor !== undefined) fs.closeSync(this.descriptor);
    this.descriptor = undefined;
  }
}
