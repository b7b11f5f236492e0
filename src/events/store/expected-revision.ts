import { ConcurrencyError } from '../../errors.js';
import type { ExpectedRevision } from './event-store.js';

/**
 * Throws ConcurrencyError unless a stream whose last event is at `current`
 * (undefined: the stream does not exist) meets the expectation. The port's
 * semantics, written once for every adapter.
 */
export function checkExpected(streamId: string, expected: ExpectedRevision, current: number | undefined): void {
  const met =
    expected === 'any' ||
    (expected === 'no_stream'
      ? current === undefined
      : expected === 'stream_exists'
        ? current !== undefined
        : current === expected);
  if (!met)
    throw new ConcurrencyError(streamId, String(expected), current === undefined ? 'no_stream' : String(current));
}

/**
 * Throws ConcurrencyError when one append holds an event id twice: every
 * adapter refuses that, before writing anything (whether an id already in
 * the log is refused depends on the adapter: ./event-store.ts).
 */
export function checkDistinctIds(streamId: string, events: ReadonlyArray<{ eventId: string }>): void {
  if (events.length < 2) return;
  const ids = new Set<string>();
  for (const { eventId } of events) {
    if (ids.has(eventId))
      throw new ConcurrencyError(streamId, 'an event id not yet in the log', `event id ${eventId} twice in one append`);
    ids.add(eventId);
  }
}
