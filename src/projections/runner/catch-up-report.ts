import { PositionWaiters } from './position-waiters.js';
import type { ProjectionStatus } from './projection-host.js';

/** Where a host's projections are: what the runner reports after each batch and change of state. */
export interface CatchUpReport {
  /** the lowest position every projection has reached */
  position: number;
  /** the lowest position the projections caught up since start have reached (the others answer no read before they have: ./caught-up-read-store.ts) */
  served: number;
  /** every projection has caught up with the log (or is run by another worker) */
  live: boolean;
  /** every projection the service is not ready without (RunnerOptions.afterReady) is live and has caught up since start */
  ready: boolean;
  /** the projections that have not caught up with the log since this process started them */
  starting: readonly string[];
}

/** Before start: nothing runs here, so nothing is waited for (a CLI process reads what the models hold). */
export const NOTHING_STARTED: CatchUpReport = { position: 0, served: 0, live: false, ready: false, starting: [] };

/** A projection as the runner runs it: where it is, and whether it caught up since start. */
interface Run {
  projection: { name: string };
  position: number;
  state: ProjectionStatus['state'];
  caughtUp?: boolean;
}

/** The report of a runner's runs (`afterReady`: those it is ready without). */
export function reportOf(runs: readonly Run[], afterReady?: ReadonlySet<string>): CatchUpReport {
  const caughtUp = runs.filter((run) => run.caughtUp);
  const lowest = (of: readonly Run[]) => (of.length ? Math.min(...of.map((run) => run.position)) : 0);
  const live = (run: Run) => run.state === 'live' || run.state === 'standby';
  return {
    position: lowest(runs),
    served: lowest(caughtUp.length ? caughtUp : runs),
    live: runs.length > 0 && runs.every(live),
    // a standby projection, once its holder's model has what the log held when this process began to follow it
    ready: runs.length > 0 && runs.every((run) => (live(run) && run.caughtUp) || afterReady?.has(run.projection.name)),
    starting: runs.filter((run) => !run.caughtUp).map((run) => run.projection.name),
  };
}

/**
 * The waits a projection host answers from its latest report: read-your-writes
 * over every projection (waitFor) or over those caught up since start
 * (waitForServed), and a read of a model still catching up (untilCaughtUp).
 */
export class CatchUpWaits {
  private latest: CatchUpReport = NOTHING_STARTED;
  private readonly all = new PositionWaiters();
  private readonly served = new PositionWaiters();
  /** reads of a projection still catching up, by projection: waiting for `reachedBy` it */
  private readonly gates = new Map<string, PositionWaiters>();

  get report(): CatchUpReport {
    return this.latest;
  }

  update(report: CatchUpReport): void {
    this.latest = report;
    this.all.settle(report.position);
    this.served.settle(report.served);
    for (const [projection, waiters] of this.gates) waiters.settle(this.reachedBy(projection));
  }

  waitFor(position: number, timeoutMs: number): Promise<void> {
    return this.all.wait(position, this.latest.position, timeoutMs);
  }

  waitForServed(position: number, timeoutMs: number): Promise<void> {
    return this.served.wait(position, this.latest.served, timeoutMs);
  }

  caughtUp(projection: string): boolean {
    return !this.latest.starting.includes(projection);
  }

  /**
   * Resolves once `projection` has caught up since start and reached `head`
   * (once caught up it counts in `served`); rejects after `timeoutMs` with
   * an error that names it.
   */
  untilCaughtUp(projection: string, head: number, timeoutMs: number): Promise<void> {
    let waiters = this.gates.get(projection);
    if (!waiters) this.gates.set(projection, (waiters = new PositionWaiters()));
    return waiters.wait(
      head,
      this.reachedBy(projection),
      timeoutMs,
      `the ${projection} read model is still catching up with the log after the server started (/readyz says how far behind it is); retry`,
    );
  }

  /** The position reads of `projection` may answer at: none before it caught up, then (it counts in `served`) `served`. */
  private reachedBy(projection: string): number {
    return this.caughtUp(projection) ? this.latest.served : -1;
  }
}
