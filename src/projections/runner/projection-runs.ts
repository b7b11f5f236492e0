import type { Logger } from 'pino';
import type { EventStore, Subscription } from '../../events/store/event-store.js';
import type { UpcasterRegistry } from '../../events/store/upcasters.js';
import type { Projection } from '../projection.js';
import { LeaseLostError } from '../store/lease.js';
import type { ReadStore } from '../store/read-store.js';
import { HeldLease, type LeaseSettings } from './held-lease.js';
import type { ModelRebuilds } from './model-rebuilds.js';
import type { ProjectionStatus } from './projection-host.js';
import { shapeOutdated } from './read-model-shape.js';
import { applyBatch, ensureCollections } from './replay.js';
import { catchUpProgress, type CatchingUp } from './shared-catch-up.js';

export interface Running extends CatchingUp {
  state: ProjectionStatus['state'];
  subscription?: Subscription;
  lease?: HeldLease;
  retry?: NodeJS.Timeout;
  /** has caught up with the log since this process started it (in standby: the holder's checkpoint reached `target`) */
  caughtUp?: boolean;
  /** in standby: the head when this process first stood by, which the holder's checkpoint must reach */
  target?: number;
}

export interface RunSettings {
  batchSize: number;
  /** with several workers: run a projection only while holding its lease */
  lease?: LeaseSettings | undefined;
  logger?: Logger | undefined;
  upcasters?: UpcasterRegistry | undefined;
  /** wait before resubscribing a projection whose batch failed */
  retryDelayMs?: number | undefined;
  /** while a projection catches up, its position and the head are logged at info this often */
  progressEveryMs?: number | undefined;
  rebuilds: ModelRebuilds;
  /** told whenever a run's position or state changed */
  settle(): void;
}

/**
 * Each projection's run, for a projection runner (./projection-runner.ts):
 * started from its checkpoint, following the log, failed and retried,
 * stopped. With a lease, a run follows the log only while it holds its
 * lease, and otherwise stands by, following the holder's checkpoint.
 */
export class ProjectionRuns {
  readonly running = new Map<string, Running>();

  constructor(
    private readonly events: EventStore,
    private readonly reads: ReadStore,
    private readonly settings: RunSettings,
  ) {}

  /** `subscribe` false: the caller catches it up first (start). */
  async start(projection: Projection, subscribe = true): Promise<Running> {
    const lease = this.settings.lease;
    // A model of an older shape is rebuilt, indexes and all: bringing its old table's columns and indexes up first would be wasted.
    if (!(await shapeOutdated(this.reads, projection))) await ensureCollections(this.reads, projection);
    if (!lease) await this.settings.rebuilds.reshape(projection);
    const run: Running = {
      projection,
      position: (await this.reads.getCheckpoint(projection.name)) ?? 0,
      state: 'catching-up',
      // started again (a failure, a rebuild): once caught up since start, its reads are not held back again
      caughtUp: this.running.get(projection.name)?.caughtUp ?? false,
    };
    this.running.set(projection.name, run);
    if (lease) await this.claim(run, lease, subscribe);
    else if (subscribe) this.follow(run);
    return run;
  }

  /** Takes the lease and runs (`subscribe` false: the caller catches it up first), or waits in standby and tries again. */
  private async claim(run: Running, settings: LeaseSettings, subscribe = true): Promise<void> {
    const { logger } = this.settings;
    const name = run.projection.name;
    if (run.stopped) return;
    let lease: HeldLease | null = null;
    try {
      lease = await HeldLease.take(settings, name, (error) => this.lose(run, lease!, error));
      if (run.stopped) return void (await lease?.release());
      if (lease) await this.settings.rebuilds.reshape(run.projection, lease);
      const checkpoint = (await this.reads.getCheckpoint(name)) ?? 0;
      if (lease) {
        run.lease = lease;
        run.position = checkpoint;
        run.state = 'catching-up';
        logger?.info({ projection: name, token: lease.token }, 'projection lease taken');
        return subscribe ? this.follow(run, lease) : undefined;
      }
      // Another worker runs it: follow its checkpoint, for waitFor.
      run.state = 'standby';
      run.position = Math.max(run.position, checkpoint);
      // the holder's model answers once it holds what the log held when this process started following it
      run.target ??= await this.events.headPosition();
      if (run.position >= run.target) run.caughtUp = true;
      this.settings.settle();
    } catch (error) {
      await lease?.release();
      logger?.warn(
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
    const settings = this.settings.lease;
    if (run.stopped || !settings || run.lease !== lease) return;
    this.settings.logger?.warn({ projection: run.projection.name }, error.message);
    run.lease = undefined;
    void lease.release(); // ends its renewals; the store keeps the new holder's lease
    const subscription = run.subscription;
    run.subscription = undefined;
    run.state = 'standby';
    clearTimeout(run.retry);
    void (subscription?.close() ?? Promise.resolve()).then(() => this.claim(run, settings));
  }

  /** Follows the log from the run's position; with a lease, every write is fenced by that lease, and none once it is lost. */
  follow(run: Running, lease?: HeldLease): void {
    const { projection } = run;
    const { batchSize, logger, upcasters, settle } = this.settings;
    let progress: ReturnType<typeof catchUpProgress> | undefined = catchUpProgress(
      this.events,
      logger,
      this.settings.progressEveryMs ?? 5000,
    );
    run.subscription = this.events.subscribeToAll(
      { fromPosition: run.position, batchSize },
      {
        onEvents: async (batch) => {
          run.position = await applyBatch(this.reads, projection, batch, lease, upcasters);
          await progress?.report([run]);
          settle();
        },
        onCaughtUp: (head) => {
          // Everything up to `head` was delivered and applied (onEvents is awaited).
          run.position = Math.max(run.position, head);
          run.state = 'live';
          run.caughtUp = true;
          progress?.done([run]);
          progress = undefined;
          settle();
        },
        onError: (error) =>
          error instanceof LeaseLostError && lease ? this.lose(run, lease, error) : this.fail(run, error),
      },
    );
  }

  private fail(run: Running, error: unknown): void {
    run.state = 'failed';
    this.settings.settle(); // no longer live
    const name = run.projection.name;
    this.settings.logger?.error(
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
      const settings = this.settings.lease;
      if (settings) void this.claim(run, settings);
      else void this.start(run.projection).catch((e) => this.fail(run, e));
    }, this.settings.retryDelayMs ?? 5000);
  }

  async stop(run: Running): Promise<void> {
    run.stopped = true;
    clearTimeout(run.retry);
    await run.applying;
    await run.subscription?.close();
    await run.lease?.release();
    run.lease = undefined;
    run.state = 'stopped';
  }
}
