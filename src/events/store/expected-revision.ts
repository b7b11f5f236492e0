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
