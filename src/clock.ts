import { takeRandom } from './random-pool.js';

/** Injected wherever an instant or an id is made, so tests can pin them. */
export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** time-ordered UUID v7 */
  next(): string;
}

export const systemClock: Clock = { now: () => new Date() };

/** UUID v7 (RFC 9562): 48 bits of Unix milliseconds, then random bits (from ./random-pool.ts). */
const hex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The time part of the last id made, reused while the millisecond lasts (ids come in bursts). */
let lastMs = -1;
let timePart = '';

export function uuidV7(now = Date.now()): string {
  if (now !== lastMs) {
    // 48-bit big-endian milliseconds as 12 hex digits.
    const time = now.toString(16).padStart(12, '0');
    timePart = `${time.slice(0, 8)}-${time.slice(8, 12)}-`;
    lastMs = now;
  }
  const r = takeRandom(10);
  return (
    timePart +
    hex[(r[0]! & 0x0f) | 0x70]! + // version 7
    hex[r[1]!]! +
    '-' +
    hex[(r[2]! & 0x3f) | 0x80]! + // RFC 9562 variant
    hex[r[3]!]! +
    '-' +
    hex[r[4]!]! +
    hex[r[5]!]! +
    hex[r[6]!]! +
    hex[r[7]!]! +
    hex[r[8]!]! +
    hex[r[9]!]!
  );
}

export const uuidV7Ids: IdGenerator = { next: () => uuidV7() };
