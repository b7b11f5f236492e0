import type { LogReader } from '../../events/store/sqlite/log-reader.js';
import { toRecordedEvent } from '../../events/store/sqlite/event-schema.js';
import type { UpcasterRegistry } from '../../events/store/upcasters.js';
import type { StandaloneProjection } from '../projection.js';
import { prepareOps, type RowLayout } from '../store/sqlite/prepared-rows.js';

/** What a batch of a rebuild on two threads is projected with and prepared for, on either thread (./threaded-replay.ts). */
export interface BatchProjection {
  projection: StandaloneProjection;
  upcasters: UpcasterRegistry;
  collections: readonly string[];
  layouts: readonly RowLayout[];
}

/** A batch prepared for writing: its writes (PreparedBatch items), and its last event's position (none for an empty range). */
export interface Prepared {
  last: number | undefined;
  items: unknown[];
}

/**
 * Reads the events after position `after` through `through`, upcasts and
 * projects them, and prepares the writes. A failure throws an error that
 * says which step failed where (errorText: nothing of the data in it).
 */
export async function preparedBatch(
  log: LogReader,
  after: number,
  through: number,
  { projection, upcasters, collections, layouts }: BatchProjection,
): Promise<Prepared> {
  let step = 'reading the log';
  try {
    const rows = log.rowsIn(after, through);
    step = 'parsing the log';
    const events = rows.map(toRecordedEvent);
    step = 'upcasting';
    const current = upcasters.upcastAll(events);
    step = 'projecting';
    const ops = current.length === 0 ? [] : await projection.project(current);
    return { last: events.at(-1)?.position, items: prepareOps(ops, collections, layouts) };
  } catch (error) {
    throw new Error(`${step} after position ${after}: ${errorText(error)}`);
  }
}

/** An error as a rebuild's failure names it: its class and, but for a SyntaxError (which may quote the text it failed on), its message. */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  return error instanceof SyntaxError ? error.name : `${error.name}: ${error.message}`;
}
