import type { RecordedEvent } from '../events/store/event-envelope.js';
import type { ModuleExport } from '../module-export.js';
import type { IndexSpec, ReadStore, WriteOp } from './store/read-store.js';

export interface CollectionSpec {
  name: string;
  indexes?: IndexSpec[];
  /** an integer field that keys the documents' storage (CollectionOptions) */
  key?: string;
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
  /**
   * The shape of its documents (1 when absent). Raise it when the
   * projection folds documents differently from a released build: the
   * runner then rebuilds an older read model from the log on its next
   * start (./read-model-shape.ts).
   */
  shape?: number;
  /**
   * Set (StandaloneProjection) when `project` is a function of its events
   * alone: it reads nothing of the store and keeps no state. Where it is
   * exported, so that a rebuild can run it on a thread of its own
   * (./runner/threaded-replay.ts).
   */
  standalone?: ModuleExport;
  project(events: readonly RecordedEvent[], store: ReadStore): Promise<WriteOp[]>;
}

/**
 * A projection whose writes follow from its events alone (`project` is
 * given no store to read), exported where `standalone` says. A rebuild
 * projects it on the thread that reads the log, beside the one that writes
 * the model (./runner/threaded-replay.ts).
 */
export interface StandaloneProjection extends Omit<Projection, 'standalone' | 'project'> {
  standalone: ModuleExport;
  project(events: readonly RecordedEvent[]): Promise<WriteOp[]>;
}
