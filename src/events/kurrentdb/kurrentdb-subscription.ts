import type * as KurrentClient from '@kurrent/kurrentdb-client';
import type { AllStreamResolvedEvent, AllStreamSubscription } from '@kurrent/kurrentdb-client';
import type { RecordedEvent } from '../event-envelope.js';
import type { SubscribeOptions, Subscription, SubscriptionHandler } from '../event-store.js';
import { kurrent } from './kurrentdb-client.js';
import { decodeRecord } from './kurrentdb-record.js';

export interface ReconnectOptions {
  /** wait before the first reconnection (default 100 ms); it doubles with each failure in a row */
  initialDelayMs?: number;
  /** longest wait between reconnections (default 10 s) */
  maxDelayMs?: number;
  /** failures in a row, with nothing delivered between them, before the subscription ends and reports the error (default 10) */
  maxAttempts?: number;
}

/**
 * Opens a server-side filtered catch-up subscription to $all, delivering
 * events strictly after a ledger position, whose stream buffers up to
 * `bufferSize` events (the stream's highWaterMark).
 */
export type OpenAllSubscription = (afterPosition: number, bufferSize: number) => AllStreamSubscription;

/** Failures that reconnecting cannot cure: the subscription ends and reports them. */
const PERMANENT: ReadonlySet<string> = new Set(['access-denied', 'invalid-argument', 'unsupported'] satisfies `${KurrentClient.ErrorType}`[]);
const isTransient = (error: unknown): boolean => !(error instanceof Error && kurrent().isCommandError(error) && PERMANENT.has(error.type));

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
 * Delivery pulls from the stream (paused mode) in batches of at most
 * `batchSize`, and moves the position on only after onEvents has settled;
 * while a batch is in flight the stream's buffer fills and gRPC flow control
 * holds the server back. On a transient failure (a node went away, a leader
 * changed, the server dropped the subscription) it resubscribes from the
 * last delivered position after an exponential, jittered backoff, and drops
 * whatever the server repeats at or before that position. A failure of the
 * handler ends the subscription and is reported through onError.
 */
export class KurrentSubscription implements Subscription {
  private position: number;
  private readonly batchSize: number;
  private stream: AllStreamSubscription | undefined;
  /** events read off the current server subscription */
  private consumed = 0;
  /** after the server's caught-up signal: how many events read off the stream make us caught up */
  private caughtUpAfter: number | undefined;
  /** the server has sent everything so far and now sends appends as they happen */
  private live = false;
  /** the position last reported through onCaughtUp */
  private caughtUpAt: number | undefined;
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;
  private running = false;
  private dirty = false;
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly open: OpenAllSubscription,
    options: SubscribeOptions,
    private readonly handler: SubscriptionHandler,
    private readonly reconnect: ReconnectOptions,
    private readonly onStop: (subscription: KurrentSubscription) => void,
  ) {
    const batchSize = options.batchSize ?? 500;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer');
    this.batchSize = batchSize;
    this.position = options.fromPosition;
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

  private wake(): void {
    if (this.stopped) return;
    this.dirty = true;
    if (this.running) return;
    this.running = true;
    this.loop = this.deliver();
  }

  private async deliver(): Promise<void> {
    try {
      await Promise.resolve(); // never run a handler inside the caller's stack
      while (this.dirty && !this.stopped) {
        this.dirty = false;
        let drained = false;
        while (!drained) {
          const taken = this.take();
          drained = taken.drained;
          if (taken.batch.length > 0) {
            await this.handler.onEvents(taken.batch);
            this.position = taken.batch[taken.batch.length - 1]!.position;
            this.failures = 0;
            if (this.stopped) return;
          }
          // Events that arrived during onEvents set `dirty`: not drained yet.
          this.signalCaughtUp(drained && !this.dirty);
        }
      }
    } catch (error) {
      this.end(error);
    } finally {
      this.running = false;
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
    if (!reachedSignal && !(this.live && drained)) return;
    if (this.caughtUpAt === this.position) return;
    this.caughtUpAt = this.position;
    this.handler.onCaughtUp?.(this.position);
  }

  private disconnected(error: Error): void {
    const stream = this.stream;
    this.stream = undefined;
    void stream?.unsubscribe().catch(() => {});
    this.failures++;
    if (!isTransient(error) || this.failures > (this.reconnect.maxAttempts ?? 10)) {
      this.end(error);
      return;
    }
    const base = Math.min(this.reconnect.maxDelayMs ?? 10_000, (this.reconnect.initialDelayMs ?? 100) * 2 ** (this.failures - 1));
    this.retry = setTimeout(() => {
      // Resubscribe only once the batch in flight has settled, from the position it reached.
      void this.loop.then(() => {
        if (!this.stopped && !this.stream) this.connect();
      });
    }, base * (0.5 + Math.random() / 2));
    // Not unref'd: a projection worker may have nothing else to keep it alive while it waits.
  }

  /** Ends the subscription and reports why. */
  private end(error: unknown): void {
    if (this.stopped) return;
    this.stop();
    try {
      this.handler.onError?.(error);
    } catch {
      // The subscription has ended either way; nothing is left to tell.
    }
  }

  /** Resolves once no onEvents call is in flight. Do not await it inside onEvents. */
  async close(): Promise<void> {
    this.stop();
    await this.loop;
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retry);
    const stream = this.stream;
    this.stream = undefined;
    // Cancelling never needs waiting for: nothing is read from the stream any more.
    void stream?.unsubscribe().catch(() => {});
    this.onStop(this);
  }
}
