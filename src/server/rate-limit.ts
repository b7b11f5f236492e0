/**
 * A token bucket per key (the verified principal, or the client address of
 * a request without a valid token): each key holds up to `burst` tokens,
 * refilled at `perSecond`; a request takes one token per operation, and a
 * request that finds too few is refused with how long to wait. At most
 * `maxKeys` buckets are kept, least recently used out first.
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

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(private readonly options: RateLimitOptions) {
    if (options.perSecond <= 0) throw new RangeError('perSecond must be positive (leave the limiter out to turn limiting off)');
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  take(key: string, cost = 1): RateDecision {
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
      // A Map iterates in insertion order and each use re-inserts: the first key is the least recently used, dropped in O(1).
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
      bucket = { tokens: this.options.burst, at: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
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
