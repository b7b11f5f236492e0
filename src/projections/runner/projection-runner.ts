import type { Logger } from 'pino';
import type { EventStore, Subscription } from '../../events/store/event-store.js';
import type { UpcasterRegistry } from '../../events/store/upcasters.js';
import { HeldLease, warnedWhenOverdue, type LeaseSettings } from './held-lease.js';
import { LeaseLostError } from '../store/lease.js';
import { CatchUpWaits, reportOf, type CatchUpReport } from './catch-up-report.js';
import type { Projection } from '../projection.js';
import type { ProjectionHost, ProjectionStatus } from './projection-host.js';
import type { ReadStore } from '../store/read-store.js';
import { markShape, shapeOf, shapeOutdated } from './read-model-shape.js';
import { applyBatch, ensureCollections, rebuildBatch, rebuildOnline, replayWhole, type Progress } from './replay.js';
import { catchUpProgress, catchUpTogether, type CatchingUp } from './shared-catch-up.js';

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

interface Running extends CatchingUp {
  state: ProjectionStatus['state'];
  subscription?: Subscription;
  lease?: HeldLease;
  retry?: NodeJS.Timeout;
  /** has caught up with the log since this process started it (in standby: the holder's checkpoint reached `target`) */
  caughtUp?: boolean;
  /** in standby: the head when this process first stood by, which the holder's checkpoint must reach */
  target?: number;
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
  private readonly running = new Map<string, Running>();
  private readonly waits = new CatchUpWaits();
  private readonly batchSize: number;
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
  }

  /** The lease settings, warning when a lease was renewed after it ran out (./held-lease.ts). */
  private readonly lease: LeaseSettings | undefined;

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
    for (const projection of this.projections) runs.push(await this.startOne(projection, false));
    this.settleWaiters(); // reads now wait for what has not caught up yet
    const mine = runs.filter((run) => !this.lease || run.lease);
    const later = (run: Running) => this.options.afterReady?.has(run.projection.name) ?? false;
    this.together = this.catchUpTogether(mine.filter((run) => !later(run))).then(() =>
      this.catchUpTogether(mine.filter(later)),
    );
  }

  async stop(): Promise<void> {
    await Promise.all([...this.running.values()].map((run) => this.stopOne(run)));
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
      if (!run.stopped && !run.subscription && (run.lease || !this.lease)) this.subscribe(run, run.lease);
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
    if (run) await this.stopOne(run);
    this.running.delete(name);
    const lease = this.lease ? await HeldLease.take(this.lease, name, () => undefined) : undefined;
    if (lease === null) throw new Error(`projection "${name}" is run by another worker; stop it before rebuilding`);
    try {
      await this.refill(projection, lease, onProgress);
    } finally {
      await lease?.release();
    }
    if (run) await this.startOne(projection);
  }

  /**
   * Rebuilds a projection beside its live model and switches to it at once
   * (./replay.ts rebuildOnline), while this or another worker keeps the
   * live model running and queries keep being answered. With leases, one
   * online rebuild of a projection runs at a time.
   */
  async rebuildOnline(name: string, onProgress?: Progress): Promise<void> {
    const projection = this.find(name);
    const lease = this.lease ? await HeldLease.take(this.lease, `${name}:rebuild`, () => undefined) : undefined;
    if (lease === null) throw new Error(`projection "${name}" is being rebuilt by another process`);
    try {
      const options = { lease, onProgress, ...this.replayOptions };
      await rebuildOnline(this.events, this.reads, projection, rebuildBatch(this.batchSize), options);
      await markShape(this.reads, projection);
    } finally {
      await lease?.release();
    }
    // Without leases nothing tells this runner's own subscription that the model changed under it.
    const run = this.running.get(name);
    if (run && !this.lease) {
      await this.stopOne(run);
      await this.startOne(projection);
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

  /**
   * A read model folded by an older shape of its projection (see
   * ./read-model-shape.ts) is rebuilt from the log before it is followed,
   * under the lease when there is one.
   */
  private async reshape(projection: Projection, lease?: HeldLease): Promise<void> {
    if (!(await shapeOutdated(this.reads, projection))) return markShape(this.reads, projection);
    this.options.logger?.warn(
      { projection: projection.name, shape: shapeOf(projection) },
      'read model was folded by an older build; rebuilding it from the log',
    );
    await this.refill(projection, lease);
  }

  /** Drops the read model and its checkpoint, replays the whole log into it (its indexes built after the load), and marks its shape. */
  private async refill(projection: Projection, lease?: HeldLease, onProgress?: Progress): Promise<void> {
    const options = { lease, onProgress, ...this.replayOptions };
    await replayWhole(this.events, this.reads, projection, rebuildBatch(this.batchSize), options);
    await markShape(this.reads, projection);
  }

  private get replayOptions() {
    return { upcasters: this.options.upcasters, offThread: this.options.rebuildOffThread };
  }

  private find(name: string): Projection {
    const projection = this.projections.find((p) => p.name === name);
    if (!projection) throw new Error(`unknown projection "${name}"; known: ${this.names.join(', ')}`);
    return projection;
  }

  /** `subscribe` false: the caller catches it up first (start). */
  private async startOne(projection: Projection, subscribe = true): Promise<Running> {
    // A model of an older shape is rebuilt, indexes and all: bringing its old table's columns and indexes up first would be wasted.
    if (!(await shapeOutdated(this.reads, projection))) await ensureCollections(this.reads, projection);
    if (!this.lease) await this.reshape(projection);
    const run: Running = {
      projection,
      position: (await this.reads.getCheckpoint(projection.name)) ?? 0,
      state: 'catching-up',
      // started again (a failure, a rebuild): once caught up since start, its reads are not held back again
      caughtUp: this.running.get(projection.name)?.caughtUp ?? false,
    };
    this.running.set(projection.name, run);
    if (this.lease) await this.claim(run, this.lease, subscribe);
    else if (subscribe) this.subscribe(run);
    return run;
  }

  /** Takes the lease and runs (`subscribe` false: the caller catches it up first), or waits in standby and tries again. */
  private async claim(run: Running, settings: LeaseSettings, subscribe = true): Promise<void> {
    const name = run.projection.name;
    if (run.stopped) return;
    let lease: HeldLease | null = null;
    try {
      lease = await HeldLease.take(settings, name, (error) => this.lose(run, lease!, error));
      if (run.stopped) return void (await lease?.release());
      if (lease) await this.reshape(run.projection, lease);
      const checkpoint = (await this.reads.getCheckpoint(name)) ?? 0;
      if (lease) {
        run.lease = lease;
        run.position = checkpoint;
        run.state = 'catching-up';
        this.options.logger?.info({ projection: name, token: lease.token }, 'projection lease taken');
        return subscribe ? this.subscribe(run, lease) : undefined;
      }
      // Another worker runs it: follow its checkpoint, for waitFor.
      run.state = 'standby';
      run.position = Math.max(run.position, checkpoint);
      // the holder's model answers once it holds what the log held when this process started following it
      run.target ??= await this.events.headPosition();
      if (run.position >= run.target) run.caughtUp = true;
      this.settleWaiters();
    } catch (error) {
      await lease?.release();
      this.options.logger?.warn(
        { projection: name, error: error instanceof Error ? error.name : 'unknown' },
        'projection lease could not be checked',
      );
    }
    run.retry = setTimeout(() => void this.claim(run, settings), settings.standbyPollMs ?? 500);
  }

  /**
   * `lease` was lost (its renewal refused, or a write fenced by it): stop
   * writing at once and wait to take over again. Reports about a lease the
   * run no longer holds are ignored.
   */
  private lose(run: Running, lease: HeldLease, error: LeaseLostError): void {
    const settings = this.lease;
    if (run.stopped || !settings || run.lease !== lease) return;
    this.options.logger?.warn({ projection: run.projection.name }, error.message);
    run.lease = undefined;
    void lease.release(); // ends its renewals; the store keeps the new holder's lease
    const subscription = run.subscription;
    run.subscription = undefined;
    run.state = 'standby';
    clearTimeout(run.retry);
    void (subscription?.close() ?? Promise.resolve()).then(() => this.claim(run, settings));
  }

  /** Follows the log from the run's position; with a lease, every write is fenced by that lease, and none once it is lost. */
  private subscribe(run: Running, lease?: HeldLease): void {
    const { projection } = run;
    let progress: ReturnType<typeof catchUpProgress> | undefined = catchUpProgress(
      this.events,
      this.options.logger,
      this.options.progressEveryMs ?? 5000,
    );
    run.subscription = this.events.subscribeToAll(
      { fromPosition: run.position, batchSize: this.batchSize },
      {
        onEvents: async (batch) => {
          run.position = await applyBatch(this.reads, projection, batch, lease, this.options.upcasters);
          await progress?.report([run]);
          this.settleWaiters();
        },
        onCaughtUp: (head) => {
          // Everything up to `head` was delivered and applied (onEvents is awaited).
          run.position = Math.max(run.position, head);
          run.state = 'live';
          run.caughtUp = true;
          progress?.done([run]);
          progress = undefined;
          this.settleWaiters();
        },
        onError: (error) =>
          error instanceof LeaseLostError && lease ? this.lose(run, lease, error) : this.fail(run, error),
      },
    );
  }

  private fail(run: Running, error: unknown): void {
    run.state = 'failed';
    this.settleWaiters(); // no longer live
    const name = run.projection.name;
    this.options.logger?.error(
      {
        projection: name,
        error: error instanceof Error ? `${error.name}: ${error.message}` : 'unknown',
        position: run.position,
      },
      'projection failed; it will be resubscribed from its checkpoint',
    );
    // With leases, let another worker try meanwhile: this one may be the one that is broken.
    const lease = run.lease;
    run.lease = undefined;
    void lease?.release();
    run.retry = setTimeout(() => {
      if (run.stopped) return;
      if (this.lease) void this.claim(run, this.lease);
      else void this.startOne(run.projection).catch((e) => this.fail(run, e));
    }, this.options.retryDelayMs ?? 5000);
  }

  private async stopOne(run: Running): Promise<void> {
    run.stopped = true;
    clearTimeout(run.retry);
    await run.applying;
    await run.subscription?.close();
    await run.lease?.release();
    run.lease = undefined;
    run.state = 'stopped';
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
