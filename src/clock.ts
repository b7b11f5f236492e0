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

export function uuidV7(now = Date.now()): string {
  const random = takeRandom(10);
  // 48-bit big-endian milliseconds as 12 hex digits.
  const time = now.toString(16).padStart(12, '0');
  const byte = (i: number) => hex[random[i]!]!;
  return (
    `${time.slice(0, 8)}-${time.slice(8, 12)}-` +
    `${hex[(random[0]! & 0x0f) | 0x70]}${byte(1)}-` + // version 7
    `${hex[(random[2]! & 0x3f) | 0x80]}${byte(3)}-` + // RFC 9562 variant
    `${byte(4)}${byte(5)}${byte(6)}${byte(7)}${byte(8)}${byte(9)}`
  );
}

export const uuidV7Ids: IdGenerator = { next: () => uuidV7() };
