import type { ModuleExport } from '../../../module-export.js';
import type { RowLayout } from '../../store/sqlite/prepared-rows.js';

/** What a rebuild's projecting thread (./rebuild-projector-thread.ts) reads, projects with and prepares for (workerData). */
export interface ProjectorSetup {
  /** the log's file */
  file: string;
  /** the projection's name, and where it is exported (a StandaloneProjection) */
  name: string;
  projection: ModuleExport;
  /** where the registry it upcasts with is exported */
  upcasters: ModuleExport;
  /** the projection's collections and how their tables lay out a row (../../store/sqlite/prepared-rows.ts) */
  collections: string[];
  layouts: RowLayout[];
}

/** Writing thread → projecting thread: a batch to read and prepare, the events after position `after` through `through`. */
export interface ToProjector {
  after: number;
  through: number;
}

/** Projecting thread → writing thread, one answer per batch, in order. */
export type FromProjector =
  /** a batch's writes, prepared (PreparedBatch items), and the position of its last event (none: the range held none) */
  | { type: 'batch'; last: number | undefined; items: unknown[] }
  /** reading, parsing, upcasting or projecting failed: the error's class and what failed, never data */
  | { type: 'failed'; error: string };
