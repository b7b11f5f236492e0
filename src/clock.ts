import { v7 } from 'uuid';

/** Injected wherever an instant or an id is made, so tests can pin them. */
export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** time-ordered UUID v7 */
  next(): string;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * UUID v7 (RFC 9562) from the `uuid` package: 48 bits of Unix milliseconds,
 * then a counter seeded at random each millisecond, so ids made within one
 * millisecond (ids come in bursts) still sort in the order they were made.
 * Called without options: options would bypass the package's monotonic state.
 */
export const uuidV7Ids: IdGenerator = { next: () => v7() };
