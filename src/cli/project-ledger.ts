import type { Logger } from 'pino';
import { openLedger, processHolder, type Ledger } from '../server/ledger.js';
import type { LedgerConfig } from '../server/ledger-options.js';
import type { ProjectionRunner } from '../projections/runner/projection-runner.js';

/**
 * The ledger `privacy-ledger project` runs its projections on, beside a
 * server (or other workers) on the same data directory: exported so that
 * tests open exactly what the command opens.
 *
 * No key cache (`keyCacheEntries: 0`, as the projection thread's): the
 * server destroys keys in the shared key file, and only its own process
 * hears of it. A key cached here would outlive the erasure in this
 * process's memory and still be answered by its key store (until the
 * cache's idle expiry), so that a replay here could open an erased
 * account's object id again. The projections ask for a key once per batch.
 */
export function openProjectLedger(config: LedgerConfig, logger?: Logger): Promise<Ledger<ProjectionRunner>> {
  return openLedger(
    { ...config, keyCacheEntries: 0 },
    { ...(logger ? { logger } : {}), leaseHolder: processHolder('project') },
  );
}
