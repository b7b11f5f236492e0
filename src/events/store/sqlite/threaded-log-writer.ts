import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { startWorker } from '../../../start-worker.js';
import type { Outcome } from '../../../sqlite/batched-writes.js';
import { CommitCounter } from '../../../sqlite/commit-counter.js';
import { sqliteCacheMb } from '../../../sqlite/open-database.js';
import { type DurableBoundary } from './durable-boundary.js';
import { fromWire, type FromWriter, type ToWriter, type WriterSetup } from './log-writer-messages.js';
import type { AppendRequest, Written } from './log-writes.js';

/** How often the idle writer looks for commits of other processes (they show to StreamEnds that late at most). */
const FOREIGN_CHECK_MS = 20;

/**
 * The writer's young generation (MB). What it allocates (an append's
 * message, rows and hashes) is garbage once committed, so its scavenges are
 * short whatever the size; V8's default (48 MB) stayed at its largest under
 * steady writes: 47 MB of heap for 9 used in the 20-minute memory soak.
 */
const WRITER_YOUNG_GENERATION_MB = 8;

/**
 * The SQLite log's commits and fsyncs, on a thread of their own
 * (./log-writer-thread.ts) with its own connection to the file. The event
 * loop serialises each batch of appends (one per turn) and posts it; the
 * thread commits whatever has arrived in one transaction, fsyncs the WAL,
 * and answers each batch once it is durable. The event loop keeps its
 * connection for reads.
 *
 * The server's choice: a durable mutation's commit (its rows, hashes and
 * WAL frames) and the fsync that follows no longer take the thread that
 * answers requests, and waiting for the write lock (another process
 * writing the file) no longer blocks it. A lone append awaited in turn pays
 * a message each way instead; it is cheaper inline (./sqlite-event-store.ts).
 *
 * - `boundary` is set by the thread before each commit becomes visible and
 *   cleared after its fsync: readers on any thread deliver nothing past it.
 * - `foreign` counts the times the thread saw that another connection (in
 *   practice another process) committed to the file, looked at on each
 *   round and every FOREIGN_CHECK_MS while idle: the event loop's own
 *   connection cannot tell the thread's commits from theirs.
 * - After a failed fsync nothing more is acknowledged, ever, by this
 *   process; a thread that dies takes the same way.
 */
export class ThreadedLogWriter {
  readonly foreign = new CommitCounter();
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly waiting = new Map<
    number,
    { resolve(outcomes: Outcome<Written>[]): void; reject(error: unknown): void }
  >();
  private nextId = 0;
  private whenSettled: Array<() => void> = [];
  private stopped: Promise<void> | undefined;
  private exited = false;
  /** set once the log could not be made durable */
  failure: Error | undefined;

  constructor(
    file: string,
    readonly boundary: DurableBoundary,
    /** runs after each round that made something durable (through that position), before its appends are settled */
    private readonly onDurable: (through: number) => void,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const setup: WriterSetup = {
      file,
      port: port2,
      boundary: boundary.buffer,
      foreign: this.foreign.buffer,
      foreignCheckMs: FOREIGN_CHECK_MS,
      sqliteCacheMb: sqliteCacheMb(),
    };
    this.worker = startWorker(import.meta.url, './log-writer-thread', {
      workerData: setup,
      transferList: [port2],
      resourceLimits: { maxYoungGenerationSizeMb: WRITER_YOUNG_GENERATION_MB },
    });
    this.port.on('message', (message: FromWriter) => this.answered(message));
    this.worker.unref();
    this.port.unref();
    this.worker.on('error', (error) => this.fail(`the log's writer thread failed: ${error.message}`));
    this.worker.on('exit', () => {
      this.exited = true;
      if (!this.stopped) this.fail("the log's writer thread stopped");
    });
  }

  /** lowest position committed (or being committed) and not yet durable */
  get firstUnsynced(): number | undefined {
    return this.boundary.get();
  }

  /** Commits `batch` and has it made durable: resolves with each append's outcome once durable (refused appends alike). */
  write(batch: AppendRequest[]): Promise<Outcome<Written>[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) this.hold(true);
      this.waiting.set(id, { resolve, reject });
      this.port.postMessage({ id, batch } satisfies ToWriter);
    });
  }

  /** Resolves once every batch posted is answered. */
  settled(): Promise<void> {
    if (this.waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.whenSettled.push(resolve));
  }

  /** Stops the thread (after what it was given); call after `settled`. */
  close(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      if (this.exited) return resolve();
      this.worker.once('exit', () => resolve());
      // held until it has exited: a close awaited at the end of a program must finish
      this.worker.ref();
      this.port.postMessage({ stop: true } satisfies ToWriter);
    });
    return this.stopped;
  }

  private answered(message: FromWriter): void {
    if ('failed' in message) return this.fail(`the event log could not be made durable (${message.failed})`);
    if (message.through !== undefined) this.onDurable(message.through);
    for (const answer of message.answers) {
      const waiting = this.waiting.get(answer.id);
      if (!waiting) continue;
      this.waiting.delete(answer.id);
      waiting.resolve(answer.outcomes.map((o): Outcome<Written> => ('result' in o ? o : { error: fromWire(o.error) })));
    }
    this.settle();
  }

  private fail(reason: string): void {
    if (this.failure) return;
    this.failure = new Error(reason);
    const refused = [...this.waiting.values()];
    this.waiting.clear();
    for (const { reject } of refused) reject(this.failure);
    this.settle();
  }

  /** Nothing outstanding: an idle log does not keep the process alive. */
  private settle(): void {
    if (this.waiting.size > 0) return;
    this.hold(false);
    const settled = this.whenSettled;
    this.whenSettled = [];
    for (const resolve of settled) resolve();
  }

  private hold(on: boolean): void {
    if (on) {
      this.worker.ref();
      this.port.ref();
    } else if (!this.stopped) {
      this.worker.unref();
      this.port.unref();
    }
  }
}
