import type { Logger } from 'pino';
import { TimeoutError } from '../errors.js';
import type { EventStore, Subscription } from '../events/event-store.js';
import { upcasters, type UpcasterRegistry } from '../events/upcasters.js';
import type { Projection } from './projection.js';
import type { ReadStore } from './read-store.js';

export interface ProjectionStatus {
  name: string;
  checkpoint: number;
  head: number;
  /**
   * head - checkpoint, in positions: a number of events on the embedded
   * store, bytes of transaction log on KurrentDB (positions are not
   * contiguous there); 0 means caught up either way.
   */
  lag: number;
  state: 'stopped' | 'catching-up' | 'live' | 'failed';
}

export interface RunnerOptions {
  batchSize?: number;
  /** wait before resubscribing a projection whose batch failed */
  retryDelayMs?: number;
  logger?: Logger;
  /** turns older event versions into the current shape before projecting (default: production's) */
  upcasters?: UpcasterRegistry;
}

interface Running {
  projection: Projection;
  position: number;
  state: ProjectionStatus['state'];
  subscription?: Subscription;
  retry?: NodeJS.Timeout;
}

/**
 * Runs each projection from its own checkpoint: catch up in batches, then
 * follow live appends. Each batch's writes and the new checkpoint commit in
 * one read-store write, so a crash never leaves a projection half-applied
 * and a restart resumes exactly where the last commit ended.
 */
export class ProjectionRunner {
  private readonly running = new Map<string, Running>();
  private readonly waiters = new Set<{ position: number; resolve(): void }>();
  private readonly batchSize: number;

  constructor(
    private readonly events: EventStore,
    private readonly reads: ReadStore,
    private readonly projections: readonly Projection[],
    private readonly options: RunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 2500;
  }

  get names(): string[] {
    return this.projections.map((p) => p.name);
  }

  async start(): Promise<void> {
    for (const projection of this.projections) await this.startOne(projection);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.running.values()].map((run) => this.stopOne(run)));
    this.running.clear();
  }

  /** The lowest position every projection has reached. */
  get position(): number {
    const positions = [...this.running.values()].map((run) => run.position);
    return positions.length ? Math.min(...positions) : 0;
  }

  /** true once every projection has caught up with the log at least once. */
  get live(): boolean {
    return this.running.size > 0 && [...this.running.values()].every((run) => run.state === 'live');
  }

  /** Read-your-writes: resolves once every projection has applied `position`. */
  waitFor(position: number, timeoutMs: number): Promise<void> {
    if (this.position >= position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new TimeoutError(`read models did not reach position ${position} within ${timeoutMs} ms; retry`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Drops a projection's collections and checkpoint and replays the whole log into it. */
  async rebuild(name: string, onProgress?: (position: number, head: number) => void): Promise<void> {
    const projection = this.find(name);
    const run = this.running.get(name);
    if (run) await this.stopOne(run);
    this.running.delete(name);
    await this.reads.reset(name, projection.collections.map((c) => c.name));
    await this.ensureCollections(projection);
    const head = await this.events.headPosition();
    let position = 0;
    for (;;) {
      const batch = await this.events.readAll({ fromPosition: position, maxCount: this.batchSize });
      if (batch.length === 0) break;
      position = await this.apply(projection, batch);
      onProgress?.(position, Math.max(head, position));
    }
    if (run) await this.startOne(projection);
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

  private async ensureCollections(projection: Projection): Promise<void> {
    for (const c of projection.collections) await this.reads.ensureCollection(c.name, c.indexes);
  }

  private async apply(projection: Projection, batch: Parameters<Projection['project']>[0]): Promise<number> {
    const last = batch.at(-1)!.position;
    const ops = await projection.project((this.options.upcasters ?? upcasters).upcastAll(batch), this.reads);
    await this.reads.write(ops, { name: projection.name, position: last });
    return last;
  }

  private async startOne(projection: Projection): Promise<void> {
    await this.ensureCollections(projection);
    const checkpoint = (await this.reads.getCheckpoint(projection.name)) ?? 0;
    const run: Running = { projection, position: checkpoint, state: 'catching-up' };
    this.running.set(projection.name, run);
    run.subscription = this.events.subscribeToAll(
      { fromPosition: checkpoint, batchSize: this.batchSize },
      {
        onEvents: async (batch) => {
          run.position = await this.apply(projection, batch);
          this.settleWaiters();
        },
        onCaughtUp: (head) => {
          // Everything up to `head` was delivered and applied (onEvents is awaited).
          run.position = Math.max(run.position, head);
          run.state = 'live';
          this.settleWaiters();
        },
        onError: (error) => this.fail(run, error),
      },
    );
  }

  private fail(run: Running, error: unknown): void {
    run.state = 'failed';
    const name = run.projection.name;
    this.options.logger?.error(
      { projection: name, error: error instanceof Error ? `${error.name}: ${error.message}` : 'unknown', position: run.position },
      'projection failed; it will be resubscribed from its checkpoint',
    );
    run.retry = setTimeout(() => {
      if (this.running.get(name) !== run) return;
      void this.startOne(run.projection).catch((e) => this.fail(run, e));
    }, this.options.retryDelayMs ?? 5000);
  }

  private async stopOne(run: Running): Promise<void> {
    clearTimeout(run.retry);
    await run.subscription?.close();
    run.state = 'stopped';
  }

  private settleWaiters(): void {
    const reached = this.position;
    for (const waiter of this.waiters) if (waiter.position <= reached) waiter.resolve();
  }
}
