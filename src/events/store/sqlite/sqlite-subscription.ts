import { yieldToEventLoop } from '../../../event-loop.js';
import { DeliveryLoop } from '../delivery-loop.js';
import type { RecordedEvent } from '../event-envelope.js';
import type { SubscribeOptions, SubscriptionHandler } from '../event-store.js';

/** Reads up to `maxCount` events strictly after `position`, in log order. */
export type ReadAfter = (position: number, maxCount: number) => RecordedEvent[];

/**
 * One subscription to the whole log of a SQLite event store (the loop
 * itself: ../delivery-loop.ts).
 *
 * Each pass reads the next batch after the last delivered position until a
 * short batch says the log is exhausted. Positions are assigned inside
 * SQLite's single write transaction, so they become visible in order, and
 * "after the last delivered position" can never step over an event that
 * commits later.
 *
 * The store wakes the subscription when its appends become durable; a
 * timer wakes it when nothing else has for `pollIntervalMs`, for appends
 * that other processes make to the same file (every pass reads theirs too,
 * so a subscription woken often needs no poll in between: a thread that
 * follows the server's appends projects one batch per wake, not one more
 * per poll).
 */
export class SqliteSubscription extends DeliveryLoop {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly readAfter: ReadAfter,
    options: SubscribeOptions,
    handler: SubscriptionHandler,
    pollIntervalMs: number,
    private readonly onStop: (subscription: SqliteSubscription) => void,
  ) {
    super(options, handler);
    this.timer = setInterval(() => this.wake(), pollIntervalMs);
    this.timer.unref();
  }

  override wake(): void {
    this.timer.refresh();
    super.wake();
  }

  protected async pass(): Promise<void> {
    let batch: RecordedEvent[];
    do {
      batch = this.readAfter(this.position, this.batchSize);
      if (batch.length === 0) break;
      if (!(await this.handOver(batch))) return;
      // a full batch means more follow: let requests and timers in between batches
      if (batch.length === this.batchSize) await yieldToEventLoop();
    } while (batch.length === this.batchSize);
    // An append during the last onEvents set `dirty`: not caught up yet.
    if (!this.dirty) this.caughtUp();
  }

  protected release(): void {
    clearInterval(this.timer);
    this.onStop(this);
  }
}
