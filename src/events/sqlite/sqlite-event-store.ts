import type Database from 'better-sqlite3';
import { ConcurrencyError } from '../../errors.js';
import { batchedTransaction, type Outcome, RefusedUnwritten, SameTurnBatches, settleAll } from '../../sqlite/batched-writes.js';
import { OtherCommits } from '../../sqlite/data-version.js';
import { openSqliteFile } from '../../sqlite/open-database.js';
import type { NewEvent, RecordedEvent } from '../event-envelope.js';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadStoredOptions,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from '../event-store.js';
import { checkExpected } from '../expected-revision.js';
import { chainEvents, recordedAt, type ChainedEvent } from '../hash-chain.js';
import { EVENTS_SCHEMA, type EventRow, INSERT_EVENT, isDuplicateEventId, SELECT_EVENTS, toRecordedEvent, toStoredEvent } from './event-schema.js';
import type { DurableBoundary } from './durable-boundary.js';
import { LiveDelivery } from './live-delivery.js';
import { StreamEnds } from './stream-ends.js';
import { WalDurability } from './wal-durability.js';

/** The log's file in the data directory of the embedded shape. */
export const EMBEDDED_LOG_FILE = 'events.sqlite';

export interface SqliteEventStoreOptions {
  /** How often subscriptions look for events appended by other processes (default 200 ms). */
  pollIntervalMs?: number;
  /**
   * Shared with another thread of this process that reads the same file:
   * this store keeps its own not-yet-durable boundary there and announces
   * what became durable (`publish`), or delivers nothing past the boundary
   * the other thread keeps and wakes its subscriptions on its announcements
   * (`follow`).
   */
  boundary?: { role: 'publish' | 'follow'; shared: DurableBoundary };
  /**
   * Who fsyncs the WAL: libuv's thread pool (default; best for appends
   * awaited one at a time) or a thread of its own (best under concurrent
   * appends: the server's choice). See ./wal-durability.ts.
   */
  syncOn?: 'pool' | 'thread';
}

/** [revision, hash, position] of a stream's last event. */
type StreamHead = [revision: number, hash: string, position: number];

interface PendingAppend {
  streamId: string;
  events: readonly NewEvent[];
  expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/**
 * The embedded event store: one SQLite file in WAL mode. `append` resolves
 * only once its commit is durable.
 *
 * Durability without blocking: SQLite commits with synchronous=NORMAL and
 * the store fsyncs the WAL itself on the thread pool before it
 * acknowledges (./wal-durability.ts). better-sqlite3 is synchronous, so
 * with synchronous=FULL every fsync stalled the whole process; now requests
 * keep being served while the disk syncs. Until its fsync completes an
 * event is not acknowledged and not delivered to subscriptions (so no read
 * model can get ahead of what a power cut would leave), though a stream
 * read may see it; a command deciding on it appends after it, and is
 * acknowledged only by a later fsync that covers both.
 *
 * Appends that arrive in the same turn of the event loop share one BEGIN
 * IMMEDIATE transaction, and a failed expectation rejects only its own
 * append: it is checked before the append writes anything. An append that
 * fails after writing (an event id already in the log) has the batch run
 * again with each append in a savepoint of its own. Several processes may
 * open the same file (the write lock is waited for up to 5 s), and subscriptions poll
 * for what the others append (./live-delivery.ts). A command's read of its
 * own stream is answered from memory when the store knows where the stream
 * ends (./stream-ends.ts).
 */
export class SqliteEventStore implements EventStore {
  private readonly statements: ReturnType<typeof prepare>;
  private readonly commitBatch: (batch: readonly PendingAppend[]) => Outcome<AppendResult>[];
  private readonly pending = new SameTurnBatches<PendingAppend>((batch) => this.flush(batch));
  private readonly durability: WalDurability;
  /** undoes the boundary the failed commit set */
  private readonly rollBackBoundary: () => void;
  private readonly ends: StreamEnds;
  private readonly live: LiveDelivery;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly db: Database.Database,
    pollIntervalMs: number,
    options: SqliteEventStoreOptions,
  ) {
    this.statements = prepare(db);
    const published = options.boundary?.role === 'publish' ? options.boundary.shared : undefined;
    const followed = options.boundary?.role === 'follow' ? options.boundary.shared : undefined;
    this.live = new LiveDelivery(
      {
        readAfter: (position, bound, maxCount) =>
          bound === undefined ? this.readAfter(position, maxCount) : this.statements.afterBelow.all(position, bound, maxCount).map(toRecordedEvent),
        ownBoundary: () => this.durability.firstUnsynced,
      },
      pollIntervalMs,
      { followed, published },
    );
    this.durability = new WalDurability(db.name, () => this.live.durable(), published, options.syncOn);
    let undo: (() => void) | undefined;
    this.commitBatch = batchedTransaction(
      db,
      (append: PendingAppend) => this.write(append.streamId, append.events, append.expected),
      // Before COMMIT: a reader on another connection that can see the batch must already see it as not durable.
      (outcomes) => {
        const first = firstWrittenPosition(outcomes);
        undo = first === undefined ? undefined : this.durability.committing(first);
      },
      // write() checks the expected revision before inserting anything
      { optimistic: true },
    );
    this.rollBackBoundary = () => undo?.();
    this.ends = new StreamEnds(new OtherCommits(db));
  }

  /** Opens (creating the folder, file and table when missing) the log at `filePath`. */
  static open(filePath: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    const pollIntervalMs = options.pollIntervalMs ?? 200;
    if (!(pollIntervalMs > 0 && Number.isFinite(pollIntervalMs))) throw new RangeError('pollIntervalMs must be a positive number');
    // NORMAL: commits do not fsync; the store fsyncs the WAL itself, off the
    // main thread, before acknowledging (see the class comment). Catch-up
    // reads sweep the whole file: map it rather than read() it page by page.
    const db = openSqliteFile(filePath, { synchronous: 'NORMAL', secureDelete: false, mmapBytes: 1 << 30 });
    try {
      db.pragma('foreign_keys = ON');
      db.exec(EVENTS_SCHEMA);
      return new SqliteEventStore(db, pollIntervalMs, options);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  append(streamId: string, events: readonly NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.assertOpen(); // inside the executor: a closed store rejects, it does not throw
      this.pending.push({ streamId, events, expected: options.expectedRevision, resolve, reject });
    });
  }

  /** Commits every append queued since the last flush in one transaction, then has it made durable. */
  private flush(batch: PendingAppend[]): void {
    const { failure } = this.durability;
    if (failure !== undefined) {
      for (const append of batch) append.reject(failure);
      return;
    }
    let outcomes: Outcome<AppendResult>[];
    try {
      outcomes = this.commitBatch(batch);
    } catch (error) {
      // The commit itself failed: nothing of the batch is in the log.
      this.rollBackBoundary();
      for (const append of batch) append.reject(error);
      return;
    }
    outcomes.forEach((o, i) => 'result' in o && this.ends.learn(batch[i]!.streamId, o.result.nextExpectedRevision + 1));
    const first = firstWrittenPosition(outcomes);
    if (first === undefined) return settleAll(batch, outcomes); // wrote nothing: nothing to make durable
    this.durability.add({
      firstPosition: first,
      acknowledge: () => settleAll(batch, outcomes),
      refuse: (error) => batch.forEach((append) => append.reject(error)),
    });
  }

  /** Runs inside the BEGIN IMMEDIATE transaction: any throw rolls the whole append back. */
  private write(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendResult {
    const head = this.statements.streamHead.get(streamId);
    try {
      checkExpected(streamId, expected, head?.[0]);
    } catch (error) {
      throw new RefusedUnwritten(error); // nothing of this append is written yet
    }
    let position = head ? head[2] : 0;
    const stored = chainEvents(streamId, head && { revision: head[0], hash: head[1] }, events).map((chained) => {
      position = this.insert(streamId, chained);
      return recordedAt(streamId, chained, position);
    });
    return { nextExpectedRevision: stored.at(-1)?.revision ?? (head ? head[0] : -1), position, events: stored };
  }

  private insert(streamId: string, chained: ChainedEvent): number {
    const { event } = chained;
    try {
      const { lastInsertRowid } = this.statements.insert.run(
        event.eventId,
        streamId,
        chained.revision,
        event.type,
        event.schemaVersion,
        event.occurredAt,
        chained.dataJson,
        chained.metadataJson,
        chained.prevHash,
        chained.hash,
      );
      return Number(lastInsertRowid);
    } catch (error) {
      if (isDuplicateEventId(error)) {
        throw new ConcurrencyError(streamId, 'an event id not yet in the log', `event id ${event.eventId} already in the log`);
      }
      throw error;
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const limit = options.maxCount ?? -1;
    if (options.direction === 'backwards') {
      return this.statements.backwards.all(streamId, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit).map(toRecordedEvent);
    }
    const from = options.fromRevision ?? 0;
    if (this.ends.emptyFrom(streamId, from)) return [];
    const events = this.statements.forwards.all(streamId, from, limit).map(toRecordedEvent);
    // Fewer than asked: the read reached the stream's end.
    if (limit < 0 || events.length < limit) this.ends.learn(streamId, events.length ? events.at(-1)!.revision + 1 : from);
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.readAfter(options.fromPosition ?? 0, options.maxCount ?? -1);
  }

  async readStored(options: ReadStoredOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    const limit = options.maxCount ?? -1;
    const rows =
      options.streamId !== undefined
        ? this.statements.forwards.all(options.streamId, options.fromRevision ?? 0, limit)
        : this.statements.after.all(options.fromPosition ?? 0, limit);
    return rows.map(toStoredEvent);
  }

  private readonly readAfter = (position: number, maxCount: number): RecordedEvent[] =>
    this.statements.after.all(position, maxCount).map(toRecordedEvent);

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.statements.head.get()?.[0] ?? 0;
  }

  subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    this.assertOpen();
    return this.live.subscribe(options, handler);
  }

  /** Ends every subscription (waiting for handlers in flight), then closes the file. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.pending.drain(); // what was asked before close is committed and answered
      await this.durability.settled();
      await this.live.close();
      this.db.close();
      await this.durability.close();
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('the event store is closed');
  }
}

function prepare(db: Database.Database) {
  return {
    // The last entry of the (stream_id, revision) index: one seek.
    streamHead: db
      .prepare<[string], StreamHead>('SELECT revision, hash, position FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1')
      .raw(true),
    insert: db.prepare(INSERT_EVENT),
    forwards: db
      .prepare<[string, number, number], EventRow>(`${SELECT_EVENTS} WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`)
      .raw(true),
    backwards: db
      .prepare<[string, number, number], EventRow>(`${SELECT_EVENTS} WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`)
      .raw(true),
    after: db.prepare<[number, number], EventRow>(`${SELECT_EVENTS} WHERE position > ? ORDER BY position ASC LIMIT ?`).raw(true),
    afterBelow: db
      .prepare<[number, number, number], EventRow>(`${SELECT_EVENTS} WHERE position > ? AND position < ? ORDER BY position ASC LIMIT ?`)
      .raw(true),
    head: db.prepare<[], [number | null]>('SELECT MAX(position) FROM events').raw(true),
  };
}

function firstWrittenPosition(outcomes: readonly Outcome<AppendResult>[]): number | undefined {
  for (const o of outcomes) if ('result' in o && o.result.events.length > 0) return o.result.events[0]!.position;
  return undefined;
}
