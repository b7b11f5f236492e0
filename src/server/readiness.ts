import type { Ledger } from './ledger.js';
import type { StorageHealth } from './storage-health.js';

/** What /readyz answers (200 only when `status` is `ready`, else 503). */
export interface Readiness {
  status: 'ready' | 'starting' | 'cannot-write';
  /** projections not caught up with the log: their state and how far behind (positions) */
  behind: Array<{ projection: string; state: string; lag: number }>;
}

/**
 * Ready once writes can be made durable and every projection has caught up
 * but those a start catches up after the others (CATCH_UP_AFTER_READY in
 * src/projections/ledger-projections.ts: reads of their models wait for
 * them meanwhile); names every projection still behind, those too. Writes
 * that cannot be made durable come first: a projection failing for the
 * same reason is not "starting".
 */
export async function readiness(storage: StorageHealth, ledger: Ledger): Promise<Readiness> {
  const behind = (await ledger.runner.status())
    .filter((p) => p.lag > 0 || (p.state !== 'live' && p.state !== 'standby'))
    .map((p) => ({ projection: p.name, state: p.state, lag: p.lag }));
  return { status: !storage.writable ? 'cannot-write' : ledger.runner.ready ? 'ready' : 'starting', behind };
}
