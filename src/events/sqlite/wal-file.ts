import fs from 'node:fs';

/**
 * A SQLite WAL opened to be fsynced by a connection that reads it (see
 * LiveDelivery): opened on first use; a log whose WAL is gone (every frame
 * checkpointed into the database file, which the checkpoint synced) has
 * nothing left to sync.
 */
export class WalFile {
  private fd: number | undefined;

  constructor(private readonly path: string) {}

  /** fdatasync, as SQLite itself syncs on Linux; throws when it fails (nothing read since may be delivered). */
  sync(): void {
    if (this.fd === undefined) {
      try {
        this.fd = fs.openSync(this.path, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
    }
    fs.fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
