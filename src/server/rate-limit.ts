import { LRUCache } from 'lru-cache';

/**
 * A token bucket per key (the verified principal, or the client address of
 * a request without a valid token): each key holds up to `burst` tokens,
 * refilled at `perSecond`; a request takes one token per operation, and a
 * request that finds too few is refused with how long to wait. At most
 * `maxKeys` buckets are kept, least recently used out first, and none longer
 * than it takes to fill up again.
 */
export interface RateLimitOptions {
  perSecond: number;
  burst: number;
  /** milliseconds; injected so tests control time */
  now?: () => number;
  /** buckets kept before the least recently used is forgotten; bounds memory under address churn */
  maxKeys?: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

/** Clients (principals and addresses) whose buckets are kept unless configured (`--rate-limit-clients`). */
export const RATE_LIMIT_CLIENTS = 10_000;

/** Requests between two sweeps of the buckets full again (a sweep walks them all). */
const PURGE_EVERY = 1024;

export class RateLimiter {
  /**
   * Least recently used out first; a bucket left alone long enough to be
   * full again is the same as none, so it goes then (its key, a principal or
   * an address, does not stay in memory longer than it matters).
   */
  private readonly buckets: LRUCache<string, Bucket>;
  private readonly now: () => number;
  private takes = 0;

  constructor(private readonly options: RateLimitOptions) {
    if (options.perSecond <= 0)
      throw new RangeError('perSecond must be positive (leave the limiter out to turn limiting off)');
    const now = (this.now = options.now ?? Date.now);
    this.buckets = new LRUCache({
      max: Math.max(1, options.maxKeys ?? RATE_LIMIT_CLIENTS),
      ttl: Math.ceil((options.burst / options.perSecond) * 1000),
      updateAgeOnGet: true,
      perf: { now },
      ttlResolution: 0, // the injected clock, read at every use (lru-cache would otherwise keep a reading for 1 ms of real time)
    });
  }

  take(key: string, cost = 1): RateDecision {
    // full buckets are dropped as they are met; those never met again, every PURGE_EVERY requests
    if (++this.takes % PURGE_EVERY === 0) this.buckets.purgeStale();
    const now = this.now();
    const bucket = this.refilled(key, now);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return { allowed: true };
    }
    const missing = Math.min(cost, this.options.burst) - bucket.tokens;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(missing / this.options.perSecond)) };
  }

  private refilled(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.options.burst, at: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + elapsed * this.options.perSecond);
    bucket.at = now;
    return bucket;
  }

  /** How many keys are tracked (for tests of the memory bound). */
  get size(): number {
    return this.buckets.size;
  }
}
