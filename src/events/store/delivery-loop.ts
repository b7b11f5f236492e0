import type { RecordedEvent } from './event-envelope.js';
import type { SubscribeOptions, Subscription, SubscriptionHandler } from './event-store.js';

/**
 * What every adapter's subscription to the whole log shares. A single
 * delivery loop runs at a time; `wake()` starts it, or tells the running one
 * to look again. Each pass hands over batches in log order and moves the
 * position on only once onEvents has settled, so nothing is delivered twice
 * or skipped whatever is appended meanwhile. A failure of the handler (or of
 * reading) ends the subscription and is reported once through onError.
 * `close()` waits for the batch in flight.
 *
 * An adapter says how one pass reads (`pass`) and what to let go of when the
 * subscription stops (`release`).
 */
export abstract class DeliveryLoop implements Subscription {
  /** the last position handed over (or the one subscribed from) */
  protected position: number;
  protected readonly batchSize: number;
  /** events may have arrived since the loop last looked */
  protected dirty = false;
  protected stopped = false;
  private running = false;
  /** the position last reported through onCaughtUp */
  private caughtUpAt: number | undefined;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    options: SubscribeOptions,
    private readonly handler: SubscriptionHandler,
  ) {
    const batchSize = options.batchSize ?? 500;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer');
    this.batchSize = batchSize;
    this.position = options.fromPosition;
  }

  wake(): void {
    if (this.stopped) return;
    this.dirty = true;
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** One look after a wake: hand over what can be read now. */
  protected abstract pass(): Promise<void>;

  /** Lets go of timers and connections; called once, when the subscription stops. */
  protected abstract release(): void;

  /** Hands a batch over and moves past it; false when the subscription stopped meanwhile. */
  protected async handOver(batch: RecordedEvent[]): Promise<boolean> {
    await this.handler.onEvents(batch);
    this.position = batch[batch.length - 1]!.position;
    return !this.stopped;
  }

  /** Everything up to the current position is delivered: say so, once per position. */
  protected caughtUp(): void {
    if (this.caughtUpAt === this.position) return;
    this.caughtUpAt = this.position;
    this.handler.onCaughtUp?.(this.position);
  }

  /** Settles when the loop now running (if any) has ended. */
  protected get settled(): Promise<void> {
    return this.loop;
  }

  private async run(): Promise<void> {
    try {
      // Deliver outside the caller's stack: append() and subscribeToAll()
      // return before any handler runs.
      await Promise.resolve();
      while (this.dirty && !this.stopped) {
        this.dirty = false;
        await this.pass();
      }
    } catch (error) {
      this.end(error);
    } finally {
      // Synchronously at the loop's end: a wake() from here on starts a new loop.
      this.running = false;
    }
  }

  /** Ends the subscription and reports why. */
  protected end(error: unknown): void {
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
    this.release();
  }
}
