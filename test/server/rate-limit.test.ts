import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/server/rate-limit.js';

describe('rate limiter (token bucket per key)', () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('lets a burst through, then refuses with how long to wait', () => {
    const time = clock();
    const limiter = new RateLimiter({ perSecond: 2, burst: 3, now: time.now });
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('refills at the configured rate, never above the burst', () => {
    const time = clock();
    const limiter = new RateLimiter({ perSecond: 2, burst: 3, now: time.now });
    for (let i = 0; i < 3; i++) limiter.take('a');
    time.advance(500);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    time.advance(60_000);
    expect([1, 2, 3, 4].map(() => limiter.take('a').allowed)).toEqual([true, true, true, false]);
  });

  it('keeps one bucket per key: one noisy client does not starve another', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1, now: clock().now });
    expect(limiter.take('noisy').allowed).toBe(true);
    expect(limiter.take('noisy').allowed).toBe(false);
    expect(limiter.take('quiet').allowed).toBe(true);
  });

  it('a request costing several tokens (a batch) takes them all or none', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 5, now: clock().now });
    expect(limiter.take('a', 4).allowed).toBe(true);
    expect(limiter.take('a', 2)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('a', 1).allowed).toBe(true);
  });

  it('forgets idle buckets so that many clients cannot grow memory without bound', () => {
    const time = clock();
    const limiter = new RateLimiter({ perSecond: 10, burst: 10, now: time.now, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) {
      limiter.take(`client-${i}`);
      time.advance(1);
    }
    expect(limiter.size).toBeLessThanOrEqual(100);
  });

  it('forgets a client once its bucket is full again: after a burst of clients, memory goes back down', () => {
    const time = clock();
    const limiter = new RateLimiter({ perSecond: 10, burst: 20, now: time.now });
    for (let i = 0; i < 3000; i++) limiter.take(`passer-by-${i}`);
    expect(limiter.size).toBe(3000);
    time.advance(2_001); // 20 tokens at 10 a second: every bucket is full again
    for (let i = 0; i < 1024; i++) limiter.take('regular');
    expect(limiter.size).toBe(1);
  });

  it('forgets the least recently used bucket first: a client in use keeps its (empty) bucket through address churn', () => {
    const time = clock();
    const limiter = new RateLimiter({ perSecond: 1, burst: 1, now: time.now, maxKeys: 3 });
    expect(limiter.take('busy').allowed).toBe(true);
    for (let i = 0; i < 10; i++) {
      limiter.take(`passer-by-${i}`);
      expect(limiter.take('busy').allowed).toBe(false);
    }
    expect(limiter.size).toBe(3);
  });
});
