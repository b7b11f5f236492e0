import type { Logger } from 'pino';
import { openLedger, processHolder, type Ledger } from '../server/ledger.js';
import type { LedgerConfig } from '../server/ledger-options.js';
import type { ProjectionRunner } from '../projections/runner/projection-runner.js';

/**
 * The ledger `privacy-ledger project` runs its projections on, beside a
 * server (or other workers) on the same data directory: exported so that
 * tests open exactly what the command opens.
 */
export function openProjectLedger(config: LedgerConfig, logger?: Logger): Promise<Ledger<ProjectionRunner>> {
  return openLedger(config, { ...(logger ? { logger } : {}), leaseHolder: processHolder('project') });
}
