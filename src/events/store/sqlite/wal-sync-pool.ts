import fs from 'node:fs';
import { WalFile } from './wal-file.js';

/**
 * Who fsyncs a WAL. `request()` asks that everything committed so far be
 * made durable and returns the request's number (32-bit, wrapping);
 * `onSynced(n)`, given to the constructor, reports that an fsync which
 * started after request n has completed; `onFailed(code)` reports an fsync
 * (or the file open) that failed, after which nothing more is synced.
 */
export interface WalSyncer {
  request(): number;
  /** stops syncing; called once nothing is outstanding */
  stop(): Promise<void>;
}

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
  private readonly wal: WalFile;
  private down = false;

  constructor(
    walFile: string,
    private readonly onSynced: (upTo: number) => void,
    private readonly onFailed: (code: string) => void,
  ) {
    this.wal = new WalFile(walFile);
  }

  request(): number {
    this.requested = (this.requested + 1) | 0;
    this.sync();
    return this.requested;
  }

  async stop(): Promise<void> {
    this.down = true;
    if (!this.inFlight) this.wal.close();
  }

  private sync(): void {
    if (this.inFlight || this.down) return;
    const upTo = this.requested;
    this.inFlight = true;
    const finished = (error: NodeJS.ErrnoException | null) => {
      this.inFlight = false;
      if (this.down) return this.wal.close();
      if (error) {
        this.down = true;
        return this.onFailed(error.code ?? 'EIO');
      }
      this.onSynced(upTo);
      if (this.requested !== upTo) this.sync();
    };
    try {
      // fdatasync, as WalFile.sync, but on the thread pool
      fs.fdatasync(this.wal.fd(), finished);
    } catch (error) {
      finished(error as NodeJS.ErrnoException);
    }
  }
}
