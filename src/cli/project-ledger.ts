import type { Logger } from 'pino';
import { openLedger, processHolder, type Ledger } from '../server/ledger.js';
import type { LedgerConfig } from '../server/ledger-options.js';
import type { ProjectionRunner } from '../projections/runner/projection-runner.js';

/**
 * The ledger `privacy-ledger project` runs its projections on, beside a
 * server (or other workers) on the same data directory: exported so that
 * tests open exactly what the command opens. It caches nothing of a data
 * subject (besideAServer).
 */
export function openProjectLedger(config: LedgerConfig, logger?: Logger): Promise<Ledger<ProjectionRunner>> {
  return openLedger(besideAServer(config), {
    ...(logger ? { logger } : {}),
    leaseHolder: processHolder('project'),
  });
}

/**
 * The settings of a process that runs projections beside a server on the
 * same data directory (a `project` worker, `rebuild --online`): no key
 * cache and no opened values (`keyCacheEntries: 0`,
 * `openedValueCacheEntries: 0`, as on the projection thread). The server
 * destroys keys in the shared key file, and only its own process hears of
 * it: a key cached here would still be answered by this process's key
 * store after the erasure (a replay could open an erased account's object
 * id again), and an opened object id would stay here in clear (until the
 * cache's idle expiry). The projections ask for a key once per batch and
 * open a value once per account added: the caches would save nothing.
 */
export function besideAServer<C extends LedgerConfig>(config: C): C {
  return { ...config, keyCacheEntries: 0, openedValueCacheEntries: 0 };
}
