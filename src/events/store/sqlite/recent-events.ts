import type { RecordedEvent } from '../event-envelope.js';

/** Events after `position`, before `bound` when given, at most `maxCount`, in log order. */
export type BoundedRead = (position: number, bound: number | undefined, maxCount: number) => RecordedEvent[];

/** Events kept once trimmed (trimmed when twice as many): a few batches of every subscription. */
const KEEP = 2048;

/**
 * The newest stretch of the log that subscriptions read, parsed, kept for
 * the others: every projection of a store reads the same events, but each
 * on its own wake and up to its own durable bound, so a read shared only
 * by subscriptions woken together at one position (as before) missed most
 * of the time, and under load each event was read and parsed about five
 * times.
 *
 * The stretch is contiguous: every event after `after` up to the newest one
 * held. Events never change once written, and what was durable stays
 * durable, so a request the stretch covers is answered from it (still
 * stopping at its own bound), and one reaching past its end reads only the
 * rest from the log and adds it. A request from before the stretch (a
 * subscription far behind the others) reads the log itself and replaces
 * the stretch only if it reaches further.
 */
export class RecentEvents {
  /** the position the stretch starts after */
  private after = 0;
  /** every event after `after`, oldest first, up to the newest one read */
  private events: RecordedEvent[] = [];
  private held = false;

  constructor(
    private readonly read: BoundedRead,
    private readonly keep = KEEP,
  ) {}

  readAfter(position: number, bound: number | undefined, maxCount: number): RecordedEvent[] {
    const newest = this.events.length > 0 ? this.events[this.events.length - 1]!.position : this.after;
    if (!this.held || position < this.after || position > newest)
      return this.replace(position, bound, maxCount, newest);
    const below = bound ?? Number.POSITIVE_INFINITY;
    const first = this.firstAfter(position);
    const out: RecordedEvent[] = [];
    let i = first;
    for (; i < this.events.length && out.length < maxCount; i++) {
      const event = this.events[i]!;
      if (event.position >= below) return out;
      out.push(event);
    }
    if (out.length === maxCount || i < this.events.length) return out;
    // Reached the end of the stretch with room left: the rest comes from the log, and joins the stretch.
    const rest = this.read(newest, bound, maxCount - out.length);
    if (rest.length > 0) {
      this.events.push(...rest);
      this.trim();
      out.push(...rest);
    }
    return out;
  }

  /** Outside the stretch: read the log; keep what was read if it reaches further than the stretch did. */
  private replace(position: number, bound: number | undefined, maxCount: number, newest: number): RecordedEvent[] {
    const read = this.read(position, bound, maxCount);
    const reached = read.length > 0 ? read[read.length - 1]!.position : position;
    if (!this.held || reached > newest) {
      this.after = position;
      this.events = read.slice();
      this.held = true;
    }
    return read;
  }

  /** Index of the first held event after `position` (positions increase: binary search). */
  private firstAfter(position: number): number {
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.events[mid]!.position <= position) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private trim(): void {
    if (this.events.length <= 2 * this.keep) return;
    const drop = this.events.length - this.keep;
    this.after = this.events[drop - 1]!.position;
    this.events = this.events.slice(drop);
  }
}
