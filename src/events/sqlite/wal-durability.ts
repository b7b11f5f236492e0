import fs from 'node:fs';
import path from 'node:path';
import type { DurableBoundary } from './durable-boundary.js';

/** A committed batch waiting for the fsync that makes it durable. */
export interface CommittedBatch {
  /** position of the batch's first event */
  firstPosition: number;
  /** acknowledges the batch's appends */
  acknowledge(): void;
  /** refuses them: their durability is unknown */
  refuse(error: unknown): void;
}

/**
 * Durability without blocking, for a SQLite file in WAL mode committing
 * with synchronous=NORMAL (a commit writes its WAL frames, no fsync): the
 * WAL is fsynced here, on libuv's thread pool, and a batch is acknowledged
 * only once an fsync that started after its commit has completed. One fsync
 * runs at a time, and every commit made meanwhile shares the next one
 * (group commit).
 *
 * After a failed fsync the kernel may have dropped the pages: nothing more
 * is acknowledged, ever, by this process.
 */
export class WalDurability {
  private committed: CommittedBatch[] = [];
  private syncing: Promise<void> | undefined;
  private fd: number | undefined;
  private unsynced: number | undefined;
  /** set once an fsync failed */
  failure: Error | undefined;

  /**
   * `onDurable` runs after each fsync that made something durable, before
   * its batches are acknowledged; `boundary` (if given) is kept equal to
   * firstUnsynced for readers on other threads.
   */
  constructor(
    private readonly databaseFile: string,
    private readonly onDurable: () => void,
    private readonly boundary?: DurableBoundary,
  ) {}

  /** lowest position committed (or being committed) and not yet durable; undefined: everything committed is durable */
  get firstUnsynced(): number | undefined {
    return this.unsynced;
  }

  private setUnsynced(position: number | undefined): void {
    this.unsynced = position;
    this.boundary?.set(position);
  }

  /**
   * Called inside the transaction, before COMMIT, with the first position it
   * wrote: from the moment others can see the commit, it is not durable.
   * Returns an undo for a commit that then fails.
   */
  committing(firstPosition: number): () => void {
    if (this.unsynced !== undefined) return () => undefined;
    this.setUnsynced(firstPosition);
    return () => this.setUnsynced(this.committed[0]?.firstPosition);
  }

  /** A batch just committed (after `committing`): acknowledge it once it is durable. */
  add(batch: CommittedBatch): void {
    if (this.unsynced === undefined) this.setUnsynced(batch.firstPosition);
    this.committed.push(batch);
    this.sync();
  }

  /** Resolves once no fsync is in flight or waiting. */
  async settled(): Promise<void> {
    while (this.syncing) await this.syncing;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private sync(): void {
    if (this.syncing || this.committed.length === 0) return;
    const covered = this.committed;
    this.committed = [];
    this.syncing = new Promise<void>((done) => {
      const finished = (error: NodeJS.ErrnoException | null) => {
        this.syncing = undefined;
        if (error) this.fail(error, covered);
        else {
          this.setUnsynced(this.committed[0]?.firstPosition);
          this.onDurable();
          for (const batch of covered) batch.acknowledge();
        }
        done();
        this.sync();
      };
      try {
        // fdatasync, as SQLite itself syncs on Linux: the data and what is needed to read it back (the size), not the timestamps.
        fs.fdatasync(this.wal(), finished);
      } catch (error) {
        finished(error as NodeJS.ErrnoException);
      }
    });
  }

  private fail(error: NodeJS.ErrnoException, covered: readonly CommittedBatch[]): void {
    this.failure = new Error(`the event log could not be made durable (${error.code ?? 'fsync failed'})`);
    for (const batch of [...covered, ...this.committed]) batch.refuse(this.failure);
    this.committed = [];
    // The boundary stays where durability was lost: nothing past it is ever delivered.
  }

  /** The WAL file, opened on first use (it exists once a commit was made); its folder is synced once, so the file itself survives a power cut. */
  private wal(): number {
    if (this.fd === undefined) {
      this.fd = fs.openSync(`${this.databaseFile}-wal`, 'r+');
      const dir = fs.openSync(path.dirname(this.databaseFile), 'r');
      try {
        fs.fsyncSync(dir);
      } finally {
        fs.closeSync(dir);
      }
    }
    return this.fd;
  }
}
