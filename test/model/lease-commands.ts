import type fc from 'fast-check';
import { expect } from 'vitest';
import { checkAnalytics, checkOffers, checkPublisher } from './invariants.js';
import { STANDBY_HOLDER, type LedgerSystem } from './ledger-system.js';
import { tally, type ModelState } from './mutation-command.js';

/** Long enough for a standby's poll (500 ms) and the holder's timer renewal (a third of the time to live) on a loaded machine. */
const HANDOVER_MS = 15_000;

/**
 * Every projection's lease held again by someone, after a jump or a worker
 * stopping: a lease nobody renews or takes is a projection nobody runs.
 * Returns how many the standby holds.
 */
async function untilEveryLeaseHeld(system: LedgerSystem, context: string): Promise<number> {
  const until = Date.now() + HANDOVER_MS;
  for (;;) {
    const holders = [...(await system.leaseHolders()).values()];
    if (holders.every((holder) => holder !== null)) return holders.filter((h) => h === STANDBY_HOLDER).length;
    if (Date.now() > until) expect(holders, `${context}: a projection lease nobody holds`).not.toContain(null);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What the lease steps check after a handover: the read models have every step once (counters exact), whoever projected them. */
async function checkReadModels(system: LedgerSystem, model: ModelState): Promise<void> {
  await system.settle();
  for (const p of model.publishers) {
    await checkPublisher(system, p);
    await checkOffers(system, model, p);
  }
  await checkAnalytics(system, model);
}

/**
 * The lease clock jumps past the time to live: what every worker sees when
 * the projection thread was held that long (a big batch, an index built
 * under load), or its clock ran behind. With `standby`, a projection worker
 * runs beside the server on its data directory (started if it was not):
 * it may take over each lease before the server's thread renews it, and
 * the thread's writes already under way are refused by their fence. The
 * server keeps answering, from whoever projects; nothing is projected
 * twice or skipped.
 */
export class LeaseRunsOutCommand implements fc.AsyncCommand<ModelState, LedgerSystem> {
  constructor(private readonly standby: boolean) {}
  check(): boolean {
    return true;
  }
  async run(model: ModelState, system: LedgerSystem): Promise<void> {
    if (this.standby) await system.startStandby();
    system.leaseClock.jump(system.leaseTtlMs + 1);
    // the reads the checks make are recorded: events projected after the jump, under a lease renewed or taken over
    await checkReadModels(system, model);
    const byStandby = await untilEveryLeaseHeld(system, String(this));
    tally(`lease ran out: ${system.standbyRunning ? `standby holds ${byStandby}` : 'no standby'}`);
    await checkReadModels(system, model);
  }
  toString(): string {
    return `the lease clock jumps past the time to live${this.standby ? ', a standby worker beside the server' : ''}`;
  }
}

/** The standby worker stops (a signal): it releases the leases it holds, and the server's thread takes them back. */
export class StopStandbyCommand implements fc.AsyncCommand<ModelState, LedgerSystem> {
  check(): boolean {
    return true;
  }
  async run(model: ModelState, system: LedgerSystem): Promise<void> {
    if (!system.standbyRunning) return;
    await system.stopStandby();
    const byStandby = await untilEveryLeaseHeld(system, String(this));
    expect(byStandby, `${this}: leases still held by the stopped standby`).toBe(0);
    await checkReadModels(system, model);
  }
  toString(): string {
    return 'the standby worker stops';
  }
}
