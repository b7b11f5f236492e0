import { v7 as uuidv7 } from 'uuid';

/** Injected wherever an instant or an id is made, so tests can pin them. */
export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** time-ordered UUID v7 */
  next(): string;
}

export const systemClock: Clock = { now: () => new Date() };

export const uuidV7Ids: IdGenerator = { next: () => uuidv7() };
