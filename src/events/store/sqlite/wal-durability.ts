import type { DurableBoundary } from './durable-boundary.js';
import { WalSyncPool, type WalSyncer } from './wal-sync-pool.js';

/** Whether sequence number `a` is at or after `b`, across 32-bit wrap-around. */
export const reached = (a: number, b: number): boolean => ((a - b) | 0) >= 0;

/** A committed batch waiting for the fsync that makes it durable. */
export interface CommittedBatch {
  /** position of the batch's first event */
  firstPosition: number;
  /** position of its last event */
  lastPosition: number;
  /** acknowledges the batch's appends */
  acknowledge(): void;
  /** refuses them: their durability is unknown */
  refuse(error: unknown): void;
}

/**
 * Durability without blocking, for a SQLite file in WAL mode committing
 * with synchronous=NORMAL (a commit writes its WAL frames, no fsync): the
 * WAL is fsynced off the event loop, on libuv's thread pool
 * (./wal-sync-pool.ts),
 * and a batch is acknowledged only once an fsync that started after its
 * commit has completed. One fsync runs at a time, and every commit made
 * meanwhile shares the next one (group commit).
 *
 * After a failed fsync the kernel may have dropped the pages: nothing more
 * is acknowledged, ever, by this process.
 */
export class WalDurability {
  /** committed batches not yet acknowledged, oldest first, each with the number of the sync request made after it */
  private committed: Array<{ batch: CommittedBatch; request: number }> = [];
  private syncer: WalSyncer | undefined;
  private unsynced: number | undefined;
  private idle: Array<() => void> = [];
  /** set once an fsync failed */
  failure: Error | undefined;

  /**
   * `onDurable` runs after each fsync that made something durable, before
   * its batches are acknowledged; `boundary` (if given) is kept equal to
   * firstUnsynced for readers on other threads.
   */
  constructor(
    private readonly databaseFile: string,
    private readonly onDurable: (through: number) => void,
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
    return () => this.setUnsynced(this.committed[0]?.batch.firstPosition);
  }

  /** A batch just committed (after `committing`): acknowledge it once it is durable. */
  add(batch: CommittedBatch): void {
    if (this.failure) return batch.refuse(this.failure);
    if (this.unsynced === undefined) this.setUnsynced(batch.firstPosition);
    // The WAL exists once a commit was made: the syncer opens it.
    this.syncer ??= new WalSyncPool(
      `${this.databaseFile}-wal`,
      (upTo) => this.synced(upTo),
      (code) => this.fail(code),
    );
    // Queued before asking: a syncer may fail at once (the WAL would not open), and must find it to refuse.
    const entry = { batch, request: 0 };
    this.committed.push(entry);
    entry.request = this.syncer.request();
  }

  /** Resolves once every committed batch is acknowledged or refused. */
  settled(): Promise<void> {
    if (this.committed.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Stops syncing; call after `settled`. */
  async close(): Promise<void> {
    await this.syncer?.stop();
  }

  /** An fsync that started after request `upTo` completed: everything committed before it is durable. */
  private synced(upTo: number): void {
    let covered = 0;
    while (covered < this.committed.length && reached(upTo, this.committed[covered]!.request)) covered++;
    if (covered === 0) return;
    const done = this.committed.splice(0, covered);
    this.setUnsynced(this.committed[0]?.batch.firstPosition);
    const through = Math.max(...done.map(({ batch }) => batch.lastPosition));
    this.boundary?.markDurableThrough(through);
    this.onDurable(through);
    for (const { batch } of done) batch.acknowledge();
    this.settle();
  }

  private fail(code: string): void {
    this.failure = new Error(`the event log could not be made durable (${code})`);
    const refused = this.committed;
    this.committed = [];
    for (const { batch } of refused) batch.refuse(this.failure);
    this.settle();
    // The boundary stays where durability was lost: nothing past it is ever delivered.
  }

  private settle(): void {
    if (this.committed.length > 0) return;
    const idle = this.idle;
    this.idle = [];
    for (const resolve of idle) resolve();
  }
}
