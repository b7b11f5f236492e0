import type { Logger } from 'pino';
import type { Config } from './config.js';
import { openLedger, processHolder, type Ledger } from './ledger.js';
import type { LedgerOptions } from './ledger-options.js';

/** A ledger as the server runs it, its projections starting (`projecting` resolves once they run). */
export interface ServingLedger {
  ledger: Ledger;
  projecting: Promise<void>;
}

/**
 * The server's first half, without GraphQL: opens the stores, finishes the
 * erasures a crash interrupted (before anything could open a value under
 * their keys), then starts the projections (on their thread) without
 * waiting for them. `serve` calls it before it loads the GraphQL server, so
 * that the projections' catch-up runs while that loads and the schema is
 * built (src/cli/main.ts).
 */
export async function startLedger(config: Config, logger: Logger, options: LedgerOptions = {}): Promise<ServingLedger> {
  // Under the serve lock a fixed name is unique on the embedded data directory, and lets a restarted server take its leases back at once.
  const leaseHolder = options.leaseHolder ?? (config.mongodbUrl ? processHolder('serve') : 'serve');
  const ledger = await openLedger(config, {
    projectionThread: config.projectionThread,
    logLevel: config.logLevel,
    ...options,
    logger,
    leaseHolder,
  });
  try {
    const finished = await ledger.finishInterruptedErasures();
    if (finished.length > 0)
      logger.warn(
        { keys: finished.length },
        'finished erasures a crash had interrupted: destroyed the keys they recorded',
      );
  } catch (error) {
    await ledger.close();
    throw error;
  }
  const projecting = ledger.runner.start();
  projecting.catch(() => undefined); // its failure is the caller's, when it awaits it
  return { ledger, projecting };
}
