import fs from 'node:fs';
import path from 'node:path';
import type { WalSyncer } from './wal-durability.js';

/**
 * fdatasyncs one SQLite WAL on libuv's thread pool, one fsync at a time:
 * when one completes and more was requested meanwhile, the next starts
 * (covering all of it). The default: nothing to start, and the cheapest
 * path for a lone append awaited in turn. Under concurrent load the next
 * fsync waits for the event loop to run the last one's callback; the
 * server commits and syncs on a writer thread instead (./threaded-log-writer.ts).
 */
export class WalSyncPool implements WalSyncer {
  private requested = 0;
  private inFlight = false;
  private fd: number | undefined;
  private down = false;

  constructor(
    private readonly walFile: string,
    private readonly onSynced: (upTo: number) => void,
    private readonly onFailed: (code: string) => void,
  ) {}

  request(): number {
    this.requested = (this.requested + 1) | 0;
    this.sync();
    return this.requested;
  }

  async stop(): Promise<void> {
    this.down = true;
    if (!this.inFlight) this.close();
  }

  private close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private sync(): void {
    if (this.inFlight || this.down) return;
    const upTo = this.requested;
    this.inFlight = true;
    const finished = (error: NodeJS.ErrnoException | null) => {
      this.inFlight = false;
      if (this.down) return this.close();
      if (error) {
        this.down = true;
        return this.onFailed(error.code ?? 'EIO');
      }
      this.onSynced(upTo);
      if (this.requested !== upTo) this.sync();
    };
    try {
      // fdatasync, as SQLite itself syncs on Linux: the data and what is needed to read it back (the size), not the timestamps.
      fs.fdatasync(this.wal(), finished);
    } catch (error) {
      finished(error as NodeJS.ErrnoException);
    }
  }

  /** The WAL, opened on first use (it exists once a commit was made); its folder is synced once, so the file itself survives a power cut. */
  private wal(): number {
    if (this.fd === undefined) {
      this.fd = fs.openSync(this.walFile, 'r+');
      const dir = fs.openSync(path.dirname(this.walFile), 'r');
      try {
        fs.fsyncSync(dir);
      } finally {
        fs.closeSync(dir);
      }
    }
    return this.fd;
  }
}
