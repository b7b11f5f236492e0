import type { RecordedEvent } from '../event-envelope.js';
import type { SubscribeOptions, Subscription, SubscriptionHandler } from '../event-store.js';

/** Reads up to `maxCount` events strictly after `position`, in log order. */
export type ReadAfter = (position: number, maxCount: number) => RecordedEvent[];

/**
 * One subscription to the whole log of a SQLite event store.
 *
 * A single delivery loop runs at a time. It reads the next batch after the
 * last delivered position, awaits the handler, and only then moves the
 * position on: nothing is delivered twice or skipped, whatever is appended
 * meanwhile. Positions are assigned inside SQLite's single write transaction,
 * so they become visible in order, and "after the last delivered position"
 * can never step over an event that commits later.
 *
 * `wake()` starts the loop, or tells the running one to look again. The store
 * calls it on every append it makes; a timer calls it every `pollIntervalMs`
 * for appends that other processes make to the same file.
 */
export class SqliteSubscription implements Subscription {
  private position: number;
  private readonly batchSize: number;
  private readonly timer: NodeJS.Timeout;
  /** a delivery loop is running */
  private running = false;
  /** events may have been appended since the loop last read */
  private dirty = false;
  /** the position last reported through onCaughtUp */
  private caughtUpAt: number | undefined;
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly readAfter: ReadAfter,
    options: SubscribeOptions,
    private readonly handler: SubscriptionHandler,
    pollIntervalMs: number,
    private readonly onStop: (subscription: SqliteSubscription) => void,
  ) {
    const batchSize = options.batchSize ?? 500;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer');
    this.position = options.fromPosition;
    this.batchSize = batchSize;
    this.timer = setInterval(() => this.wake(), pollIntervalMs);
    this.timer.unref();
  }

  wake(): void {
    if (this.stopped) return;
    this.dirty = true;
    if (this.running) return;
    this.running = true;
    this.loop = this.deliver();
  }

  private async deliver(): Promise<void> {
    try {
      // Deliver outside the caller's stack: append() and subscribeToAll()
      // return before any handler runs.
      await Promise.resolve();
      while (this.dirty && !this.stopped) {
        this.dirty = false;
        let batch: RecordedEvent[];
        do {
          batch = this.readAfter(this.position, this.batchSize);
          if (batch.length === 0) break;
          await this.handler.onEvents(batch);
          this.position = batch[batch.length - 1]!.position;
          if (this.stopped) return;
        } while (batch.length === this.batchSize);
        // An append during the last onEvents set `dirty`: not caught up yet.
        if (!this.dirty && this.caughtUpAt !== this.position) {
          this.caughtUpAt = this.position;
          this.handler.onCaughtUp?.(this.position);
        }
      }
    } catch (error) {
      this.stop();
      try {
        this.handler.onError?.(error);
      } catch {
        // The subscription has ended either way; nothing is left to tell.
      }
    } finally {
      // Synchronously at the loop's end: a wake() from here on starts a new loop.
      this.running = false;
    }
  }

  /** Resolves once no onEvents call is in flight. Do not await it inside onEvents. */
  async close(): Promise<void> {
    this.stop();
    await this.loop;
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.onStop(this);
  }
}
