import type { RecordedEvent } from '../event-envelope.js';
import type { SubscribeOptions, Subscription, SubscriptionHandler } from '../event-store.js';
import type { DurableBoundary } from './durable-boundary.js';
import { Coalesced } from '../../../event-loop.js';
import { RecentEvents } from './recent-events.js';
import { SqliteSubscription } from './sqlite-subscription.js';

/** How often, at most, live appends wake this store's subscriptions (see `durable`). */
const LIVE_BATCH_MS = 10;
/**
 * How often, at most, they wake a thread that follows this store (which is
 * also woken whenever someone waits for a position it has not reached:
 * ../../projections/thread/threaded-projections.ts). Its projections then
 * commit one batch per interval. A read model's indexes make the cost of a
 * commit mostly its count of pages touched, which grows far slower than
 * its events: a tenth of a second's appends cost about half as much CPU
 * per event as 10 ms worth; a quarter second's inserts cost about a fifth
 * less again than a tenth's.
 */
export const FOLLOWER_BATCH_MS = 250;

/** What the log offers delivery. */
export interface LogReads {
  /** events after `position`, before `bound` when given, at most `maxCount` */
  readAfter(position: number, bound: number | undefined, maxCount: number): RecordedEvent[];
  /** where this store's own not-yet-durable commits begin */
  ownBoundary(): number | undefined;
  /**
   * Makes everything committed to the log so far durable (fsyncs its WAL,
   * whoever wrote it) and returns the last position that covered.
   */
  syncCommitted(): number;
}

/**
 * The SQLite event store's subscriptions to the whole log (each one a
 * SqliteSubscription): what they may read, and when they are woken.
 *
 * - Only durable events: never past the store's first unsynced commit, nor
 *   past the boundary of another thread of this process that appends to the
 *   same file (`followed`). Other connections' commits (another process, or
 *   the thread followed) are visible before they are durable, and a read
 *   model built on one that a power cut then takes back would stay ahead of
 *   the log (and skip the event that later takes its position): before
 *   delivering past what it knows to be durable (its own appends, what the
 *   thread it follows synced, what it synced before), the store fsyncs the
 *   log itself, at most once per delivery and only when something new came
 *   from elsewhere.
 * - Woken when appends became durable: at once when last woken more than
 *   LIVE_BATCH_MS ago, else when that much time has passed, so under load
 *   every projection reads and commits one batch per interval instead of
 *   one per fsync; a lone append is delivered at once. A thread that follows
 *   this store (`published`) is woken the same way every FOLLOWER_BATCH_MS.
 * - Subscriptions share what they read: the newest stretch of the log is
 *   kept, parsed, for the others (./recent-events.ts). Handlers must treat
 *   delivered events as read-only.
 * - Each polls every `pollIntervalMs` for what other processes append.
 */
export class LiveDelivery {
  private readonly subscriptions = new Set<SqliteSubscription>();
  private readonly unwatch: (() => void) | undefined;
  private readonly recent: RecentEvents;
  private readonly wakeLocal = new Coalesced(LIVE_BATCH_MS, () => this.wake());
  private readonly wakeFollower: Coalesced | undefined;
  /** every event up to this position is known to be durable */
  private durableThrough = 0;

  constructor(
    private readonly log: LogReads,
    private readonly pollIntervalMs: number,
    private readonly boundaries: { followed?: DurableBoundary | undefined; published?: DurableBoundary | undefined },
  ) {
    this.recent = new RecentEvents((position, bound, maxCount) => log.readAfter(position, bound, maxCount));
    this.unwatch = boundaries.followed?.watch(() => this.wake());
    const published = boundaries.published;
    this.wakeFollower = published && new Coalesced(FOLLOWER_BATCH_MS, () => published.announce());
  }

  subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    const subscription = new SqliteSubscription(this.readDurableAfter, options, handler, this.pollIntervalMs, (s) =>
      this.subscriptions.delete(s),
    );
    this.subscriptions.add(subscription);
    subscription.wake();
    return subscription;
  }

  /** Wakes every subscription to look for new events now. */
  wake(): void {
    for (const subscription of this.subscriptions) subscription.wake();
  }

  /** Appends of this store became durable, through `through`. */
  durable(through: number): void {
    this.durableThrough = Math.max(this.durableThrough, through);
    this.wakeLocal.trigger();
    this.wakeFollower?.trigger();
  }

  /** Ends every subscription, waiting for handlers in flight. */
  async close(): Promise<void> {
    this.wakeLocal.cancel();
    this.wakeFollower?.cancel();
    this.unwatch?.();
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
  }

  private readonly readDurableAfter = (position: number, maxCount: number): RecordedEvent[] => {
    const events = this.recent.readAfter(
      position,
      lowest(this.log.ownBoundary(), this.boundaries.followed?.get()),
      maxCount,
    );
    const last = events.at(-1);
    // The thread followed knows what its fsyncs covered (other processes' commits before its own included).
    const followedThrough = this.boundaries.followed?.durableThrough() ?? 0;
    if (last !== undefined && last.position > this.durableThrough && last.position > followedThrough) {
      this.durableThrough = Math.max(this.durableThrough, this.log.syncCommitted());
    }
    return events;
  };
}

const lowest = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);
