import type { Logger } from 'pino';
import type { Clock, IdGenerator } from '../clock.js';
import type { LeaseClock } from '../projections/runner/lease-clock.js';
import type { Config } from './config.js';

/** The settings openLedger (./ledger.ts) reads. */
export type LedgerConfig = Pick<Config, 'dataDir' | 'masterKey' | 'readYourWritesTimeoutMs' | 'kurrentdbUrl'> &
  Partial<
    Pick<
      Config,
      'mongodbUrl' | 'mongodbDatabase' | 'mongodbKeysUrl' | 'leaseTtlMs' | 'retentionDays' | CacheBudget | GrantSettings
    >
  >;

/** The settings that bound the caches (each has its default where its cache is declared). */
type CacheBudget =
  | 'aggregateCacheEntries'
  | 'openedValueCacheEntries'
  | 'keyCacheEntries'
  | 'documentCacheMb'
  | 'snapshotCacheEntries'
  | 'logMmapMb'
  | 'sqliteCacheMb'
  | 'sqliteReadCacheMb'
  | 'projectionYoungGenerationMb'
  | 'cacheIdleSeconds';

/** The settings that bound operators' access grants (src/events/access-grant/). */
type GrantSettings = 'accessGrantMaxMinutes' | 'accessGrantApproval' | 'emergencyAccessMaxMinutes';

/** How a caller (server, CLI, tests) wants openLedger to wire the ledger. */
export interface LedgerOptions {
  logger?: Logger;
  clock?: Clock;
  ids?: IdGenerator;
  /**
   * This process's name in the projection leases (default: host and pid).
   * A process that is the only one of its kind on a data directory (serve,
   * under its lock) may use a fixed name, so that after a crash it takes
   * its leases back at once instead of waiting for them to expire.
   */
  leaseHolder?: string;
  /**
   * Embedded shape only (SQLite log and read models): run the projections
   * on a worker thread (src/projections/runner/thread/). Ignored with KurrentDB or
   * MongoDB, where `privacy-ledger project` workers are the way to move
   * projecting elsewhere, and with an injected `clock`, which only this
   * thread would follow, unless `threadDespiteClock`.
   */
  projectionThread?: boolean;
  /**
   * Run the projection thread even with an injected `clock` (the model test,
   * which must exercise the production shape): the thread's retention policy
   * follows the clock's offset from the system's at start (ThreadSetup),
   * and its leases expire by the system's, as a real process's do.
   */
  threadDespiteClock?: boolean;
  /**
   * Tests only: the projection leases run by this clock (on the projection
   * thread too) instead of `clock` here and the system's there, so a test
   * can move them past their time to live at any moment.
   */
  leaseClock?: LeaseClock;
  /** the thread's log level (its lines are written through `logger`) */
  logLevel?: string;
  /**
   * Tests only: events per batch of this thread's projection runner (its
   * catch-up, and its rebuilds up to their own cap), not the projection
   * thread's. The model test rebuilds its small logs in small batches, so
   * they take the two-thread replay (MIN_THREADED_BATCHES) as large logs do.
   */
  projectionBatchSize?: number;
}
