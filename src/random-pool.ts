import { randomFillSync } from 'node:crypto';

/**
 * Cryptographically strong random bytes, drawn from a pool the system
 * refills 4 KiB at a time: asking the system for a few bytes at a time cost
 * ~25 µs a call, and every event takes an IV for each value it seals.
 * `take` hands out a view of the pool: use it before the next call (as a
 * cipher's IV is), or copy it.
 */
const pool = Buffer.alloc(4096);
let offset = pool.length;

export function takeRandom(bytes: number): Buffer {
  if (bytes > pool.length) throw new RangeError(`at most ${pool.length} random bytes at a time`);
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const view = pool.subarray(offset, offset + bytes);
  offset += bytes;
  return view;
}
