import type { AllStreamResolvedEvent, AllStreamSubscription, ErrorType } from '@kurrent/kurrentdb-client';
import { DeliveryLoop } from '../delivery-loop.js';
import type { RecordedEvent } from '../event-envelope.js';
import type { SubscribeOptions, SubscriptionHandler } from '../event-store.js';
import { kurrent } from './kurrentdb-client.js';
import { decodeRecord } from './kurrentdb-record.js';

export interface ReconnectOptions {
  /** wait before the first reconnection (default 100 ms); it doubles with each failure in a row */
  initialDelayMs?: number;
  /** longest wait between reconnections (default 10 s) */
  maxDelayMs?: number;
  /** failures in a row, with nothing delivered between them, before the subscription ends and reports the error (default 10) */
  maxAttempts?: number;
  /** told of each reconnection before its wait (for the operator's log) */
  onReconnect?(attempt: number, delayMs: number, error: Error): void;
}

/**
 * Opens a server-side filtered catch-up subscription to $all, delivering
 * events strictly after a ledger position, whose stream buffers up to
 * `bufferSize` events (the stream's highWaterMark).
 */
export type OpenAllSubscription = (afterPosition: number, bufferSize: number) => AllStreamSubscription;

/** Failures that reconnecting cannot cure: the subscription ends and reports them. */
const PERMANENT: ReadonlySet<string> = new Set([
  'access-denied',
  'invalid-argument',
  'unsupported',
] satisfies `${ErrorType}`[]);
const isTransient = (error: unknown): boolean =>
  !(error instanceof Error && kurrent().isCommandError(error) && PERMANENT.has(error.type));

/**
 * One catch-up subscription to the ledger's part of `$all`.
 *
 * The client's subscription is a readable stream of events; its `caughtUp`
 * event says that the server has sent everything in the log so far. That
 * signal is emitted as soon as the server's message is decoded, while
 * earlier events may still wait in the stream's buffer, so it is recorded as
 * a count: onCaughtUp fires once the events read off the stream reach
 * (events read + events buffered) at the moment of the signal, and again,
 * while the subscription stays live, whenever live events were delivered
 * and the stream is drained (as the embedded store does). A `fellBehind`
 * (the server went back to catching up) waits for the next signal.
 *
 * Each pass (the loop itself: ../delivery-loop.ts) pulls from the stream
 * (paused mode) in batches of at most `batchSize` until it is drained; while
 * a batch is in flight the stream's buffer fills and gRPC flow control holds
 * the server back. On a transient failure (a node went away, a leader
 * changed, the server dropped the subscription) it resubscribes from the
 * last delivered position after an exponential, jittered backoff, and drops
 * whatever the server repeats at or before that position.
 */
export class KurrentSubscription extends DeliveryLoop {
  private stream: AllStreamSubscription | undefined;
  /** events read off the current server subscription */
  private consumed = 0;
  /** after the server's caught-up signal: how many events read off the stream make us caught up */
  private caughtUpAfter: number | undefined;
  /** the server has sent everything so far and now sends appends as they happen */
  private live = false;
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly open: OpenAllSubscription,
    options: SubscribeOptions,
    handler: SubscriptionHandler,
    private readonly reconnect: ReconnectOptions,
    private readonly onStop: (subscription: KurrentSubscription) => void,
  ) {
    super(options, handler);
    this.connect();
  }

  private connect(): void {
    // A buffer of one batch: a catch-up batch can fill up while the previous one is handled.
    const stream = this.open(this.position, this.batchSize);
    this.stream = stream;
    this.consumed = 0;
    this.caughtUpAfter = undefined;
    this.live = false;
    const current = () => stream === this.stream && !this.stopped;
    stream.on('readable', () => current() && this.wake());
    stream.on('caughtUp', () => {
      if (!current()) return;
      this.caughtUpAfter = this.consumed + stream.readableLength;
      this.wake();
    });
    stream.on('fellBehind', () => {
      if (!current()) return;
      this.live = false;
      this.caughtUpAfter = undefined;
    });
    // Listening to 'error' also keeps a failed stream from crashing the process.
    stream.on('error', (error: Error) => current() && this.disconnected(error));
    stream.on('end', () => current() && this.disconnected(new Error('the server ended the subscription')));
  }

  protected async pass(): Promise<void> {
    let drained = false;
    while (!drained) {
      const taken = this.take();
      drained = taken.drained;
      if (taken.batch.length > 0) {
        if (!(await this.handOver(taken.batch))) return;
        this.failures = 0;
      }
      // Events that arrived during onEvents set `dirty`: not drained yet.
      this.signalCaughtUp(drained && !this.dirty);
    }
  }

  /** Reads up to a batch off the stream; `drained` once read() has come back empty (the next 'readable' wakes us). */
  private take(): { batch: RecordedEvent[]; drained: boolean } {
    const batch: RecordedEvent[] = [];
    const stream = this.stream;
    if (!stream) return { batch, drained: true };
    while (batch.length < this.batchSize) {
      const resolved = stream.read() as AllStreamResolvedEvent | null;
      if (resolved === null) return { batch, drained: true };
      this.consumed++;
      if (!resolved.event) continue;
      const event = decodeRecord(resolved.event);
      if (event.position > this.position) batch.push(event);
    }
    return { batch, drained: false };
  }

  /**
   * Caught up: when everything sent before the server's signal is delivered,
   * and, while live, each time the stream is drained after live events.
   */
  private signalCaughtUp(drained: boolean): void {
    const reachedSignal = this.caughtUpAfter !== undefined && this.consumed >= this.caughtUpAfter;
    if (reachedSignal) {
      this.caughtUpAfter = undefined;
      this.live = true;
      this.failures = 0;
    }
    if (reachedSignal || (this.live && drained)) this.caughtUp();
  }

  private disconnected(error: Error): void {
    this.detach();
    this.failures++;
    if (!isTransient(error) || this.failures > (this.reconnect.maxAttempts ?? 10)) {
      this.end(error);
      return;
    }
    const base = Math.min(
      this.reconnect.maxDelayMs ?? 10_000,
      (this.reconnect.initialDelayMs ?? 100) * 2 ** (this.failures - 1),
    );
    const delay = base * (0.5 + Math.random() / 2);
    this.reconnect.onReconnect?.(this.failures, Math.round(delay), error);
    this.retry = setTimeout(() => {
      // Resubscribe only once the batch in flight has settled, from the position it reached.
      void this.settled.then(() => {
        if (!this.stopped && !this.stream) this.connect();
      });
    }, delay);
    // Not unref'd: a projection worker may have nothing else to keep it alive while it waits.
  }

  /** Cancels the server subscription; nothing is read from it any more, so there is nothing to wait for. */
  private detach(): void {
    const stream = this.stream;
    this.stream = undefined;
    void stream?.unsubscribe().catch(() => {});
  }

  protected release(): void {
    clearTimeout(this.retry);
    this.detach();
    this.onStop(this);
  }
}
