import type { ProjectionStatus } from './projection-runner.js';

/**
 * What the service needs of whatever runs its projections: a
 * ProjectionRunner on the service's own thread, or one on a thread of its
 * own (./thread/threaded-projections.ts).
 */
export interface ProjectionHost {
  readonly names: string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** true once every projection has caught up with the log at least once (or is run by another worker) */
  readonly live: boolean;
  /** Read-your-writes: resolves once every projection has applied `position`; rejects after `timeoutMs`. */
  waitFor(position: number, timeoutMs: number): Promise<void>;
  status(): Promise<ProjectionStatus[]>;
  /** Drops a projection's model and replays the whole log into it. */
  rebuild(name: string): Promise<void>;
}
