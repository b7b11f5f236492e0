import type { RecordedEvent } from '../events/event-envelope.js';
import type { IndexSpec, ReadStore, WriteOp } from './read-store.js';

export interface CollectionSpec {
  name: string;
  indexes?: IndexSpec[];
}

/**
 * A read model: a name (its checkpoint's), the collections it owns, and how
 * a batch of events becomes writes. The runner commits the writes together
 * with the checkpoint, so a projection is never half-applied.
 *
 * Projections see events as stored: personal values stay sealed in read
 * models and are opened on the read path, so erasing a key erases them
 * there too. They read them typed (src/events/ledger-events.ts: each
 * declares the event types it folds, see documentProjection).
 */
export interface Projection {
  name: string;
  collections: readonly CollectionSpec[];
  project(events: readonly RecordedEvent[], store: ReadStore): Promise<WriteOp[]>;
}
