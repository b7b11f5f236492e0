import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../../start-worker.js';
import type { Logger } from 'pino';
import { DurableBoundary } from '../../../events/store/sqlite/durable-boundary.js';
import { CommitCounter } from '../../../sqlite/commit-counter.js';
import { projectionNames } from '../../ledger-projections.js';
import type { ProjectionHost } from '../projection-host.js';
import type { ProjectionStatus } from '../projection-host.js';
import { CatchUpWaits } from '../catch-up-report.js';
import type { FromThread, ThreadSetup, ToThread } from './messages.js';

/**
 * The thread's young generation (MB, `--projection-young-generation-mb`): a
 * catch-up or rebuild allocates every event, entry and JSON text it handles
 * and drops them a batch later; with V8's default (16 MB semi-spaces, 48 MB
 * in all) scavenges took a tenth of a 1M-event audit rebuild's CPU, with
 * 32 MB ones about half as much. But a server under steady writes keeps the
 * thread busy, and its young generation stays at its largest: 48 MB held
 * the thread's heap at about 62 MB through the 20-minute memory soak (20
 * used), 96 MB at 88. A catch-up or shape rebuild inside the server pays
 * for the smaller one in scavenges; `privacy-ledger rebuild`, on the
 * command's own thread, is not bounded by this.
 */
export const PROJECTION_YOUNG_GENERATION_MB = 24;

/** How long after a thread died it is started again. */
const RESTART_DELAY_MS = 1_000;

const LEVELS: Readonly<Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/**
 * The embedded service's projections, run on a worker thread of their own
 * (./projection-thread.ts) with their own SQLite connections: projecting
 * every change into seven read models no longer takes the event loop that
 * answers requests, and a machine with a second core does both at once.
 *
 * The thread delivers only durable events: the service's event store keeps
 * its not-yet-durable boundary in shared memory (DurableBoundary), set
 * before each commit becomes visible, and after each fsync announces there
 * that more is durable, which wakes the thread's subscriptions (no message
 * on the write path: a store to shared memory and a notify). The thread
 * reports the position every projection has reached, which answers
 * read-your-writes waits here. Leases work as for any worker: the thread holds them under the
 * service's name. A thread that dies is started again after RESTART_DELAY_MS.
 */
export class ThreadedProjections implements ProjectionHost {
  readonly names = [...projectionNames];
  /** shared with the service's event store (role: publish) */
  readonly boundary = new DurableBoundary();
  /** shared with the service's read store: the thread's read-model commits */
  readonly readModelCommits = new CommitCounter();
  private readonly waits = new CatchUpWaits();
  private readonly statusRequests = new Map<number, (rows: ProjectionStatus[]) => void>();
  private readonly rebuilds = new Map<number, { resolve(): void; reject(error: Error): void }>();
  private worker: Worker | undefined;
  private nextRequest = 1;
  private stopping = false;
  private restart: NodeJS.Timeout | undefined;

  constructor(
    private readonly setup: Omit<ThreadSetup, 'boundary' | 'readModelCommits'>,
    private readonly logger?: Logger,
    private readonly youngGenerationMb = PROJECTION_YOUNG_GENERATION_MB,
  ) {}

  get live(): boolean {
    return this.waits.report.live;
  }

  get ready(): boolean {
    return this.waits.report.ready;
  }

  /** Each wait also wakes the thread at once: between waits it projects a tenth of a second's appends at a time. */
  waitFor(position: number, timeoutMs: number): Promise<void> {
    if (position > this.waits.report.position) this.boundary.announce();
    return this.waits.waitFor(position, timeoutMs);
  }

  waitForServed(position: number, timeoutMs: number): Promise<void> {
    if (position > this.waits.report.served) this.boundary.announce();
    return this.waits.waitForServed(position, timeoutMs);
  }

  caughtUp(projection: string): boolean {
    return this.waits.caughtUp(projection);
  }

  untilCaughtUp(projection: string, head: number, timeoutMs: number): Promise<void> {
    this.boundary.announce();
    return this.waits.untilCaughtUp(projection, head, timeoutMs);
  }

  /** Resolves once the thread runs every projection (holding its lease, or standing by); rejects if it cannot start. */
  async start(): Promise<void> {
    this.stopping = false;
    await this.spawn();
  }

  async status(): Promise<ProjectionStatus[]> {
    if (!this.worker) return this.stopped();
    const id = this.nextRequest++;
    return new Promise((resolve) => {
      this.statusRequests.set(id, resolve);
      this.send({ type: 'status', id });
    });
  }

  /** Drops a projection's model and replays the whole log into it, on the thread. */
  rebuild(name: string): Promise<void> {
    if (!this.names.includes(name))
      return Promise.reject(new Error(`unknown projection "${name}"; known: ${this.names.join(', ')}`));
    if (!this.worker) return Promise.reject(new Error('the projection thread is not running'));
    const id = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.rebuilds.set(id, { resolve, reject });
      this.send({ type: 'rebuild', id, name });
    });
  }

  /** Stops the projections (the thread finishes its batch and lets its leases go), then the thread. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restart);
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    this.send({ type: 'stop' });
    const stuck = setTimeout(() => void worker.terminate(), 10_000);
    await exited;
    clearTimeout(stuck);
  }

  /** What status says while no thread runs. */
  private stopped(): ProjectionStatus[] {
    return this.names.map((name) => ({ name, checkpoint: 0, head: 0, lag: 0, state: 'stopped' }));
  }

  private send(message: ToThread): void {
    this.worker?.postMessage(message);
  }

  private spawn(): Promise<void> {
    const worker = startWorker(import.meta.url, './projection-thread', {
      workerData: {
        ...this.setup,
        boundary: this.boundary.buffer,
        readModelCommits: this.readModelCommits.buffer,
      } satisfies ThreadSetup,
      resourceLimits: { maxYoungGenerationSizeMb: this.youngGenerationMb },
    });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (message: FromThread) => {
        switch (message.type) {
          case 'started':
            started = true;
            return resolve();
          case 'progress':
            return this.waits.update(message.report);
          case 'status':
            this.statusRequests.get(message.id)?.(message.rows);
            this.statusRequests.delete(message.id);
            return;
          case 'rebuilt': {
            const rebuild = this.rebuilds.get(message.id);
            this.rebuilds.delete(message.id);
            if (message.error === undefined) rebuild?.resolve();
            else rebuild?.reject(new Error(`rebuilding failed (${message.error})`));
            return;
          }
          case 'log':
            return this.relay(message.line);
          case 'failed':
            if (!started) reject(new Error(`the projection thread could not start (${message.error})`));
            else this.logger?.error({ error: message.error }, 'projection thread failed');
            return;
          case 'stopped':
            return;
        }
      });
      worker.on('error', (error) => {
        this.logger?.error({ error: `${error.name}: ${error.message}` }, 'projection thread failed');
        if (!started) reject(error);
      });
      worker.on('exit', (code) => {
        if (this.worker === worker) this.worker = undefined;
        this.waits.update({ ...this.waits.report, live: false, ready: false });
        for (const rebuild of this.rebuilds.values())
          rebuild.reject(new Error('the projection thread stopped before the rebuild ended'));
        this.rebuilds.clear();
        for (const answer of this.statusRequests.values()) answer(this.stopped());
        this.statusRequests.clear();
        if (!started) return reject(new Error(`the projection thread exited with code ${code} while starting`));
        if (this.stopping) return;
        this.logger?.error({ code, restartInMs: RESTART_DELAY_MS }, 'projection thread exited; starting it again');
        this.respawnLater();
      });
    });
  }

  private respawnLater(): void {
    this.restart = setTimeout(() => {
      if (!this.stopping) void this.spawn().catch(() => this.respawnLater());
    }, RESTART_DELAY_MS);
  }

  /** Writes one of the thread's log lines with the service's logger. */
  private relay(line: string): void {
    if (!this.logger) return;
    try {
      const {
        level,
        msg,
        time: _time,
        service: _service,
        ...fields
      } = JSON.parse(line) as { level: number; msg?: string; time?: string; service?: string };
      this.logger[LEVELS[level] ?? 'info'](fields, msg ?? '');
    } catch {
      this.logger.warn('projection thread wrote a log line that is not JSON');
    }
  }
}
