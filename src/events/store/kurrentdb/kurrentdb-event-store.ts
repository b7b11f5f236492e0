import { setTimeout as sleep } from 'node:timers/promises';
import type {
  AppendResult as KurrentAppendResult,
  CurrentStreamState,
  Filter,
  KurrentDBClient,
  ReadRevision,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import { ConcurrencyError } from '../../../errors.js';
import type { NewEvent, RecordedEvent } from '../event-envelope.js';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadStoredOptions,
  StoredEvent,
  ReadStreamOptions,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from '../event-store.js';
import { checkDistinctIds, checkExpected } from '../expected-revision.js';
import { connectionOption, connectionStringProblem } from './connection-string.js';
import { collect, positionsOfWrite, retryableRead } from './kurrentdb-calls.js';
import { kurrent } from './kurrentdb-client.js';
import {
  chainForAppend,
  decodeRecord,
  toLedgerPosition,
  toReadPosition,
  toStoredEvent,
  type KurrentRecord,
  type StreamHead,
} from './kurrentdb-record.js';
import { KurrentSubscription, type ReconnectOptions } from './kurrentdb-subscription.js';

export interface KurrentDbEventStoreOptions {
  /**
   * The stream name prefixes that make up the ledger's log (`publisher-`,
   * `offer-`, ...). readAll, headPosition and subscribeToAll see only these
   * streams, filtered on the server; KurrentDB's own `$` streams never match.
   */
  streamPrefixes: readonly string[];
  /** How often an append retries when another writer moved the stream between its read and its write ('any' and 'stream_exists' only; default 10). */
  maxAppendAttempts?: number;
  /** Reconnection of subscriptions after transient failures. */
  reconnect?: ReconnectOptions;
  /** How long a read may go without receiving anything before it fails (default: the string's defaultDeadline, else 10 s; see ./kurrentdb-calls.ts). */
  readIdleMs?: number;
}

/** The wait before reading a stream head again after an election or a lost connection, times the attempt. */
const RETRY_WAIT_MS = 50;

/** [expected, actual] as the port reports them, from the client's wrong-expected-version answer. */
const describeState = (state: CurrentStreamState | bigint): string =>
  state === 'no_stream' || state < 0n ? 'no_stream' : String(state);

/**
 * The distributed event store: a KurrentDB (EventStoreDB) cluster through
 * the official gRPC client. Each ledger stream is a KurrentDB stream; the
 * ledger's global log is `$all` filtered on the ledger's stream prefixes.
 *
 * Appends keep the hash chain linear. An append reads the stream's last
 * event (from the leader), chains the new events after it, and writes them
 * expecting exactly the revision it read, whatever the caller expected: two
 * racing appends can never both chain onto the same event. For 'any' and
 * 'stream_exists' the loser of such a race reads again and retries; for an
 * exact revision or 'no_stream' it is the caller's conflict.
 *
 * Event ids are checked within one append. KurrentDB does not refuse an id
 * that is already elsewhere in the log (it only recognises an identical
 * retry of the same append to the same stream and answers it without
 * writing twice); the ledger's ids are fresh UUID v7s and retries are
 * recognised by idempotency keys instead.
 */
export class KurrentDbEventStore implements EventStore {
  private readonly filter: Filter;
  private readonly subscriptions = new Set<KurrentSubscription>();
  /** appends not yet answered: close() lets them finish, so none is cut off after the server took it */
  private readonly appending = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;
  private readonly readIdleMs: number;

  private constructor(
    private readonly client: KurrentDBClient,
    private readonly options: KurrentDbEventStoreOptions,
  ) {
    if (options.streamPrefixes.length === 0) throw new RangeError('streamPrefixes must name at least one prefix');
    this.readIdleMs = options.readIdleMs ?? 10_000;
    this.filter = kurrent().streamNameFilter({ prefixes: [...options.streamPrefixes] });
  }

  /**
   * Connects (lazily: on the first call) to the cluster a connection string
   * names: `kurrentdb://user:pass@host1:2113,host2:2113,host3:2113?tls=true&tlsCAFile=/certs/ca.crt`,
   * `kurrentdb+discover://` for DNS discovery, or the older `esdb://`. The
   * string is never echoed: it may hold a password.
   */
  static open(connectionString: string, options: KurrentDbEventStoreOptions): KurrentDbEventStore {
    const problem = connectionStringProblem(connectionString);
    if (problem) throw new Error(`the KurrentDB connection string ${problem}`);
    let client: KurrentDBClient;
    try {
      client = kurrent().KurrentDBClient.connectionString(connectionString);
    } catch (error) {
      // The client quotes the offending part, which may be a password: say where, not what.
      const reason =
        error instanceof Error
          ? error.message
              .split('\n')[0]!
              .replaceAll(connectionString, '<url>')
              .replace(/"[^"]*"/g, '(…)')
          : 'unknown';
      throw new Error(`the KurrentDB connection string is not valid: ${reason}`);
    }
    // The client applies defaultDeadline to its gRPC calls, not to reads through its native reader: the store does.
    const deadline = Number(connectionOption(connectionString, 'defaultDeadline'));
    return new KurrentDbEventStore(
      client,
      Number.isSafeInteger(deadline) && deadline > 0 && options.readIdleMs === undefined
        ? { ...options, readIdleMs: deadline }
        : options,
    );
  }

  async append(
    streamId: string,
    events: readonly NewEvent[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    this.assertOpen();
    const appending = this.write(streamId, events, options.expectedRevision);
    this.appending.add(appending);
    try {
      return await appending;
    } finally {
      this.appending.delete(appending);
    }
  }

  private async write(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    checkDistinctIds(streamId, events);
    const attempts = Math.max(1, this.options.maxAppendAttempts ?? 10);
    for (let attempt = 1; ; attempt++) {
      let head: Awaited<ReturnType<typeof this.lastEvent>>;
      try {
        head = await this.lastEvent(streamId);
      } catch (error) {
        // An election or a lost connection: nothing was written yet, so read again.
        if (!retryableRead(error) || attempt >= attempts) throw error;
        await sleep(RETRY_WAIT_MS * attempt);
        continue;
      }
      checkExpected(streamId, expected, head?.revision);
      if (events.length === 0) {
        return { nextExpectedRevision: head ? head.revision : -1, position: head ? head.position : 0, events: [] };
      }
      const { proposed, recorded } = chainForAppend(streamId, head, events);
      let result: KurrentAppendResult;
      try {
        result = await this.client.appendToStream(streamId, proposed, {
          streamState: head ? BigInt(head.revision) : 'no_stream',
          requiresLeader: true,
        });
      } catch (error) {
        // A follower refuses the write before it is made: try again on the leader.
        if (error instanceof kurrent().NotLeaderError && attempt < attempts) continue;
        if (!(error instanceof kurrent().WrongExpectedVersionError)) throw error;
        const actual = (error as WrongExpectedVersionError).actualState;
        result = { success: false, nextExpectedRevision: actual === 'no_stream' ? -1n : actual };
      }
      if (!result.success) {
        // Another writer got there between our read and our write.
        const actual = describeState(result.nextExpectedRevision);
        const retry = (expected === 'any' || expected === 'stream_exists') && attempt < attempts;
        if (retry) continue;
        throw new ConcurrencyError(streamId, String(expected), actual);
      }
      // The append answers the position of the write's last event: the write is done,
      // and nothing read afterwards (on another connection, maybe another node) may undo that.
      if (!result.position)
        throw new Error('KurrentDB did not report the position of an append: the server must be version 22.6 or later');
      const writePosition = toLedgerPosition(result.position);
      const readBack =
        recorded.length > 1
          ? await this.readRevisions(streamId, recorded[0]!.revision, recorded.length).catch(() => undefined)
          : undefined;
      const stored = positionsOfWrite(recorded, writePosition, readBack);
      const last = stored[stored.length - 1]!;
      return { nextExpectedRevision: last.revision, position: last.position, events: stored };
    }
  }

  /** The stream's last event, read from the leader so an append chains onto the newest one. */
  private async lastEvent(streamId: string): Promise<(StreamHead & { position: number }) | undefined> {
    const [last] = await this.read(streamId, {
      direction: 'backwards',
      fromRevision: 'end',
      maxCount: 1,
      requiresLeader: true,
    });
    return last && { revision: last.revision, hash: last.hash, position: last.position };
  }

  private readRevisions(streamId: string, from: number, count: number): Promise<RecordedEvent[]> {
    return this.read(streamId, {
      direction: 'forwards',
      fromRevision: BigInt(from),
      maxCount: count,
      requiresLeader: true,
    });
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    if (options.maxCount === 0) return [];
    const backwards = options.direction === 'backwards';
    const fromRevision: ReadRevision =
      options.fromRevision === undefined ? (backwards ? 'end' : 'start') : BigInt(Math.max(0, options.fromRevision));
    return this.read(streamId, {
      direction: backwards ? 'backwards' : 'forwards',
      fromRevision,
      ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
    });
  }

  /** A stream read; a stream that does not exist reads as no events. */
  private async read(
    streamId: string,
    options: Parameters<KurrentDBClient['readStream']>[1],
  ): Promise<RecordedEvent[]> {
    try {
      const read = await collect(this.client.readStream(streamId, options), this.readIdleMs);
      return read.flatMap((resolved) => (resolved.event ? [decodeRecord(resolved.event as KurrentRecord)] : []));
    } catch (error) {
      if (error instanceof kurrent().StreamNotFoundError) return [];
      throw error;
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.readAfter(options.fromPosition ?? 0, options.maxCount);
  }

  async readStored(options: ReadStoredOptions): Promise<StoredEvent[]> {
    const events =
      options.streamId !== undefined
        ? await this.readStream(options.streamId, {
            fromRevision: options.fromRevision ?? 0,
            ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
          })
        : await this.readAll({
            fromPosition: options.fromPosition ?? 0,
            ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
          });
    return events.map(toStoredEvent);
  }

  /** Up to `maxCount` ledger events strictly after `position`, in log order. */
  private async readAfter(position: number, maxCount: number | undefined): Promise<RecordedEvent[]> {
    if (maxCount === 0) return [];
    const events: RecordedEvent[] = [];
    // A read from a position includes the event at it: ask for one more and drop it.
    const iterator = this.client.readAll({
      direction: 'forwards',
      fromPosition: toReadPosition(position),
      ...(maxCount === undefined ? {} : { maxCount: maxCount + 1 }),
      filter: this.filter,
    });
    for (const resolved of await collect(iterator, this.readIdleMs)) {
      if (!resolved.event) continue;
      const event = decodeRecord(resolved.event);
      if (event.position > position) events.push(event);
    }
    return maxCount === undefined ? events : events.slice(0, maxCount);
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    const [last] = await collect(
      this.client.readAll({ direction: 'backwards', fromPosition: 'end', maxCount: 1, filter: this.filter }),
      this.readIdleMs,
    );
    return last?.event ? decodeRecord(last.event).position : 0;
  }

  subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    this.assertOpen();
    const subscription = new KurrentSubscription(
      (from, bufferSize) =>
        this.client.subscribeToAll(
          { fromPosition: toReadPosition(from), filter: this.filter },
          { highWaterMark: bufferSize },
        ),
      options,
      handler,
      this.options.reconnect ?? {},
      (s) => this.subscriptions.delete(s),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Lets appends in flight finish, ends every subscription (waiting for handlers in flight), then closes the connection. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.appending]);
      await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
      await this.client.dispose();
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('the event store is closed');
  }
}
