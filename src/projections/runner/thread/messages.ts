import type { CatchUpReport } from '../catch-up-report.js';
import type { ProjectionStatus } from '../projection-host.js';

/** What the projection thread needs to open the stores and run the projections (workerData). */
export interface ThreadSetup {
  dataDir: string;
  /** the master key, base64: the thread opens the key store (requesters are sealed as records are projected) */
  masterKey: string;
  retentionDays: number;
  /**
   * How far the service thread's clock is ahead of the system's, taken when
   * the thread starts (0 unless a test injects a clock): the retention
   * policy the thread seals requesters under reads the same time as the
   * service's retention, so a month the service expired is never sealed
   * under a fresh key. Leases keep the system's clock.
   */
  clockOffsetMs: number;
  leaseHolder: string;
  leaseTtlMs?: number;
  /** tests only: the offset of the clock the leases run by (../lease-clock.ts); the system's clock without it */
  leaseClock?: SharedArrayBuffer;
  /** the budget of the thread's read-model document cache */
  documentCacheMb?: number;
  /** megabytes of the log the thread's connection maps */
  logMmapMb?: number;
  /** the page cache of each SQLite connection the thread opens */
  sqliteCacheMb: number;
  /** the idle expiry of the thread's caches (src/idle-expiry.ts) */
  cacheIdleSeconds: number;
  logLevel: string;
  /** the service thread's not-yet-durable boundary of the log (../../events/sqlite/durable-boundary.ts) */
  boundary: SharedArrayBuffer;
  /** the read models' commit count, shared with the service thread (../../sqlite/commit-counter.ts) */
  readModelCommits: SharedArrayBuffer;
}

/** Service thread → projection thread. */
export type ToThread =
  { type: 'status'; id: number } | { type: 'rebuild'; id: number; name: string } | { type: 'stop' };

/** Projection thread → service thread. */
export type FromThread =
  | { type: 'started' }
  | { type: 'progress'; report: CatchUpReport }
  | { type: 'status'; id: number; rows: ProjectionStatus[] }
  /** a rebuild ended: `error` says why it failed (class and message, never data) */
  | { type: 'rebuilt'; id: number; error?: string }
  /** one pino log line, to be written by the service's logger */
  | { type: 'log'; line: string }
  | { type: 'stopped' }
  /** starting failed; the message names the error class and says what, never data */
  | { type: 'failed'; error: string };
