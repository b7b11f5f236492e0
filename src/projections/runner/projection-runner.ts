import type { Logger } from 'pino';
import type { EventStore } from '../../events/store/event-store.js';
import type { UpcasterRegistry } from '../../events/store/upcasters.js';
import { warnedWhenOverdue, type LeaseSettings } from './held-lease.js';
import { CatchUpWaits, reportOf, type CatchUpReport } from './catch-up-report.js';
import type { Projection } from '../projection.js';
import type { ProjectionHost, ProjectionStatus } from './projection-host.js';
import type { ReadStore } from '../store/read-store.js';
import type { Progress } from './replay.js';
import { catchUpTogether } from './shared-catch-up.js';
import { ModelRebuilds } from './model-rebuilds.js';
import { ProjectionRuns, type Running } from './projection-runs.js';

export interface RunnerOptions {
  batchSize?: number;
  /** wait before resubscribing a projection whose batch failed */
  retryDelayMs?: number;
  logger?: Logger;
  /** turns older event versions into the current shape before projecting (default: production's) */
  upcasters?: UpcasterRegistry;
  /** with several workers: run a projection only while holding its lease */
  lease?: LeaseSettings;
  /** while a projection catches up, its position and the head are logged at info this often (default 5 s) */
  progressEveryMs?: number;
  /** told whenever the report (positions, `live`, `ready`, those still catching up) may have changed */
  onProgress?: (report: CatchUpReport) => void;
  /**
   * Projections caught up after the others at start: the host is `ready`
   * without them, and reads of their models wait for them meanwhile
   * (./caught-up-read-store.ts).
   */
  afterReady?: ReadonlySet<string>;
  /** false: a rebuild replays on this thread even where it could on two (./threaded-replay.ts); for comparing both */
  rebuildOffThread?: boolean;
}

/**
 * Runs each projection from its own checkpoint: catch up in batches, then
 * follow live appends. Each batch's writes and the new checkpoint commit in
 * one read-store write, so a crash never leaves a projection half-applied
 * and a restart resumes exactly where the last commit ended.
 *
 * With a lease (several workers on one store), a projection runs only
 * while this worker holds its lease, and every write carries the lease's
 * fencing token. A worker that does not get the lease waits in standby,
 * following the holder's checkpoint (so waitFor still answers), and takes
 * over when the lease is released or expires. A worker that loses its
 * lease stops its subscription and goes back to standby.
 */
export class ProjectionRunner implements ProjectionHost {
  private readonly waits = new CatchUpWaits();
  private readonly batchSize: number;
  /** The lease settings, warning when a lease was renewed after it ran out (./held-lease.ts). */
  private readonly lease: LeaseSettings | undefined;
  private readonly rebuilds: ModelRebuilds;
  /** each projection's run: started, leased or standing by, following the log, retried (./projection-runs.ts) */
  private readonly runs: ProjectionRuns;
  /** the projections' catch-up together, from start */
  private together: Promise<void> | undefined;
  /** the log said once that the projections the service is not ready without have caught up */
  private toldReady = false;

  constructor(
    private readonly events: EventStore,
    private readonly reads: ReadStore,
    private readonly projections: readonly Projection[],
    private readonly options: RunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 2500;
    this.lease = warnedWhenOverdue(options.lease, options.logger);
    const { logger, upcasters } = options;
    this.rebuilds = new ModelRebuilds(events, reads, {
      batchSize: this.batchSize,
      logger,
      upcasters,
      offThread: options.rebuildOffThread,
      lease: this.lease,
    });
    this.runs = new ProjectionRuns(events, reads, {
      batchSize: this.batchSize,
      lease: this.lease,
      logger,
      upcasters,
      retryDelayMs: options.retryDelayMs,
      progressEveryMs: options.progressEveryMs,
      rebuilds: this.rebuilds,
      settle: () => this.settleWaiters(),
    });
  }

  private get running(): Map<string, Running> {
    return this.runs.running;
  }

  get names(): string[] {
    return this.projections.map((p) => p.name);
  }

  /**
   * The projections this worker runs catch up together, in the background
   * (./shared-catch-up.ts), those `afterReady` names once the others have;
   * then each follows the log.
   */
  async start(): Promise<void> {
    const runs: Running[] = [];
    for (const projection of this.projections) runs.push(await this.runs.start(projection, false));
    this.settleWaiters(); // reads now wait for what has not caught up yet
    const mine = runs.filter((run) => !this.lease || run.lease);
    const later = (run: Running) => this.options.afterReady?.has(run.projection.name) ?? false;
    this.together = this.catchUpTogether(mine.filter((run) => !later(run))).then(() =>
      this.catchUpTogether(mine.filter(later)),
    );
  }

  async stop(): Promise<void> {
    await Promise.all([...this.running.values()].map((run) => this.runs.stop(run)));
    await this.together;
    this.running.clear();
  }

  private async catchUpTogether(runs: Running[]): Promise<void> {
    if (runs.length === 0) return;
    await catchUpTogether(this.events, this.reads, runs, this.batchSize, {
      ...this.options,
      onBatch: () => this.settleWaiters(),
    });
    // Not one whose lease was lost meanwhile: it waits in standby, or took the lease again and follows already.
    for (const run of runs)
      if (!run.stopped && !run.subscription && (run.lease || !this.lease)) this.runs.follow(run, run.lease);
  }

  /** The lowest position every projection has reached. */
  get position(): number {
    const positions = [...this.running.values()].map((run) => run.position);
    return positions.length ? Math.min(...positions) : 0;
  }

  /**
   * true once every projection has caught up with the log at least once
   * here, or is run by another worker (standby): an API process whose
   * projections a worker runs is ready too.
   */
  get live(): boolean {
    return this.report().live;
  }

  /** true once every projection but those caught up after the others (`afterReady`) is live or standing by */
  get ready(): boolean {
    return this.report().ready;
  }

  /** Read-your-writes: resolves once every projection has applied `position`. */
  waitFor(position: number, timeoutMs: number): Promise<void> {
    this.waits.update(this.report());
    return this.waits.waitFor(position, timeoutMs);
  }

  waitForServed(position: number, timeoutMs: number): Promise<void> {
    this.waits.update(this.report());
    return this.waits.waitForServed(position, timeoutMs);
  }

  caughtUp(projection: string): boolean {
    return this.waits.caughtUp(projection);
  }

  untilCaughtUp(projection: string, head: number, timeoutMs: number): Promise<void> {
    return this.waits.untilCaughtUp(projection, head, timeoutMs);
  }

  /**
   * Drops a projection's collections and checkpoint and replays the whole
   * log into it. With leases, it holds the projection's lease meanwhile, and
   * refuses while another worker runs the projection.
   */
  async rebuild(name: string, onProgress?: (position: number, head: number) => void): Promise<void> {
    const projection = this.find(name);
    const run = this.running.get(name);
    if (run) await this.runs.stop(run);
    this.running.delete(name);
    await this.rebuilds.rebuild(projection, onProgress);
    if (run) await this.runs.start(projection);
  }

  /**
   * Rebuilds a projection beside its live model and switches to it at once
   * (./replay.ts rebuildOnline), while this or another worker keeps the
   * live model running and queries keep being answered. With leases, one
   * online rebuild of a projection runs at a time.
   */
  async rebuildOnline(name: string, onProgress?: Progress): Promise<void> {
    await this.rebuilds.rebuildOnline(this.find(name), onProgress);
    // Without leases nothing tells this runner's own subscription that the model changed under it.
    const run = this.running.get(name);
    if (run && !this.lease) {
      await this.runs.stop(run);
      await this.runs.start(run.projection);
    }
  }

  async status(): Promise<ProjectionStatus[]> {
    const head = await this.events.headPosition();
    return Promise.all(
      this.projections.map(async (projection) => {
        const run = this.running.get(projection.name);
        const checkpoint = run?.position ?? (await this.reads.getCheckpoint(projection.name)) ?? 0;
        return {
          name: projection.name,
          checkpoint,
          head,
          lag: Math.max(0, head - checkpoint),
          state: run?.state ?? 'stopped',
        };
      }),
    );
  }

  private find(name: string): Projection {
    const projection = this.projections.find((p) => p.name === name);
    if (!projection) throw new Error(`unknown projection "${name}"; known: ${this.names.join(', ')}`);
    return projection;
  }

  private settleWaiters(): void {
    const report = this.report();
    this.waits.update(report);
    this.options.onProgress?.(report);
    if (report.ready && !report.live && report.starting.length > 0 && !this.toldReady) {
      this.toldReady = true;
      this.options.logger?.info(
        { catchingUp: report.starting },
        'the projections every request reads have caught up; these catch up now, and reads of them wait for them',
      );
    }
  }

  private report(): CatchUpReport {
    return reportOf([...this.running.values()], this.options.afterReady);
  }
}
