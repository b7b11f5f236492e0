import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { ConcurrencyError } from '../../errors.js';
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
import { SqliteSubscription } from './sqlite-subscription.js';

export interface SqliteEventStoreOptions {
  /** How often subscriptions look for events appended by other processes (default 200 ms). */
  pollIntervalMs?: number;
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

type Outcome = { result: AppendResult } | { error: unknown };

/** How often, at most, live appends wake the subscriptions (see wakeSubscriptions). */
const LIVE_BATCH_MS = 5;

/** A committed batch waiting for the fsync that makes it durable. */
interface CommittedBatch {
  batch: readonly PendingAppend[];
  outcomes: Outcome[];
  /** position of the batch's first event, if it wrote any */
  firstPosition: number | undefined;
}

/**
 * The embedded event store: one SQLite file in WAL mode. `append` resolves
 * only once its commit is durable.
 *
 * Durability without blocking: SQLite commits with synchronous=NORMAL (the
 * commit writes its WAL frames, no fsync), and the store itself fsyncs the
 * WAL file on libuv's thread pool before it acknowledges. better-sqlite3 is
 * synchronous, so with synchronous=FULL every fsync stalled the whole
 * process; now requests keep being served while the disk syncs, and every
 * commit made meanwhile shares the next fsync (group commit). Until its fsync
 * completes an event is not acknowledged and not delivered to subscriptions
 * (so no read model can get ahead of what a power cut would leave), though a
 * stream read may see it; a command deciding on it appends after it, and is
 * acknowledged only by a later fsync that covers both.
 *
 * Appends that arrive in the same turn of the event loop share one BEGIN
 * IMMEDIATE transaction; each runs in its own savepoint, so a failed
 * expectation rejects only its own append. Several processes may open the
 * same file (the write lock is waited for up to 5 s), and subscriptions poll
 * for what the others append.
 */
export class SqliteEventStore implements EventStore {
  private readonly subscriptions = new Set<SqliteSubscription>();
  private readonly statements: ReturnType<typeof prepare>;
  private readonly commitBatch: (batch: readonly PendingAppend[]) => Outcome[];
  private pending: PendingAppend[] = [];
  /** committed, waiting for the next fsync */
  private committed: CommittedBatch[] = [];
  /** the fsync in flight, if any */
  private syncing: Promise<void> | undefined;
  /** an fsync failed: the log's durability is unknown, so nothing more is acknowledged */
  private syncFailure: unknown;
  /** lowest position committed here and not yet durable: subscriptions stop before it */
  private firstUnsynced: number | undefined;
  private walFd: number | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private lastWake = -Infinity;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly db: Database.Database,
    private readonly pollIntervalMs: number,
  ) {
    this.statements = prepare(db);
    // Called inside the batch's transaction, a transaction function is a savepoint.
    const savepoint = db.transaction((append: PendingAppend) => this.write(append.streamId, append.events, append.expected));
    this.commitBatch = db.transaction((batch: readonly PendingAppend[]) =>
      batch.map((append): Outcome => {
        try {
          return { result: savepoint(append) };
        } catch (error) {
          return { error };
        }
      }),
    ).immediate;
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
      return new SqliteEventStore(db, pollIntervalMs);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  append(streamId: string, events: readonly NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.assertOpen(); // inside the executor: a closed store rejects, it does not throw
      this.pending.push({ streamId, events, expected: options.expectedRevision, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  /** Commits every append queued since the last flush in one transaction, then has it synced. */
  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    if (this.syncFailure !== undefined) {
      for (const append of batch) append.reject(this.syncFailure);
      return;
    }
    let outcomes: Outcome[];
    try {
      outcomes = this.commitBatch(batch);
    } catch (error) {
      // The commit itself failed: nothing of the batch is in the log.
      for (const append of batch) append.reject(error);
      return;
    }
    const first = firstWrittenPosition(outcomes);
    if (first === undefined) {
      settle(batch, outcomes); // wrote nothing: nothing to make durable
      return;
    }
    this.firstUnsynced ??= first;
    this.committed.push({ batch, outcomes, firstPosition: first });
    this.sync();
  }

  /**
   * fsyncs the WAL on the thread pool, then acknowledges every batch that had
   * committed when the fsync started; batches committed meanwhile wait for
   * the next one. One fsync at a time.
   */
  private sync(): void {
    if (this.syncing || this.committed.length === 0) return;
    const covered = this.committed;
    this.committed = [];
    this.syncing = new Promise<void>((done) => {
      fs.fsync(this.wal(), (error) => {
        this.syncing = undefined;
        if (error) {
          // After a failed fsync the kernel may have dropped the pages: the
          // process must not go on acknowledging anything.
          this.syncFailure = new Error(`the event log could not be made durable (${error.code ?? 'fsync failed'})`);
          for (const { batch } of [...covered, ...this.committed]) for (const append of batch) append.reject(this.syncFailure);
          this.committed = [];
          this.firstUnsynced = undefined;
          done();
          return;
        }
        this.firstUnsynced = this.committed[0]?.firstPosition;
        this.wakeSubscriptions();
        for (const { batch, outcomes } of covered) settle(batch, outcomes);
        done();
        this.sync();
      });
    });
  }

  /**
   * Tells subscriptions that durable events arrived: at once when they were
   * last told more than LIVE_BATCH_MS ago, else when that much time has
   * passed. Under load every projection then reads and commits one batch per
   * interval instead of one per fsync (each projection commit costs about as
   * much as the append it projects); a lone append is delivered at once.
   */
  private wakeSubscriptions(): void {
    if (this.wakeTimer) return;
    const wait = this.lastWake + LIVE_BATCH_MS - performance.now();
    const wake = () => {
      this.wakeTimer = undefined;
      this.lastWake = performance.now();
      for (const subscription of this.subscriptions) subscription.wake();
    };
    if (wait <= 0) return wake();
    this.wakeTimer = setTimeout(wake, wait);
    this.wakeTimer.unref();
  }

  /** The WAL file, opened on first use (it exists once a commit was made); its folder is synced once, so the file itself survives a power cut. */
  private wal(): number {
    if (this.walFd === undefined) {
      this.walFd = fs.openSync(`${this.db.name}-wal`, 'r+');
      const dir = fs.openSync(path.dirname(this.db.name), 'r');
      try {
        fs.fsyncSync(dir);
      } finally {
        fs.closeSync(dir);
      }
    }
    return this.walFd;
  }

  /** Runs inside the BEGIN IMMEDIATE transaction: any throw rolls the whole append back. */
  private write(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendResult {
    const head = this.statements.streamHead.get(streamId);
    checkExpected(streamId, expected, head?.[0]);
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
    const rows =
      options.direction === 'backwards'
        ? this.statements.backwards.all(streamId, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
        : this.statements.forwards.all(streamId, options.fromRevision ?? 0, limit);
    return rows.map(toRecordedEvent);
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

  /** What subscriptions may deliver: only durable events, so never past this store's first unsynced commit. */
  private readonly readDurableAfter = (position: number, maxCount: number): RecordedEvent[] =>
    this.firstUnsynced === undefined
      ? this.readAfter(position, maxCount)
      : this.statements.afterBelow.all(position, this.firstUnsynced, maxCount).map(toRecordedEvent);

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.statements.head.get()?.[0] ?? 0;
  }

  subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    this.assertOpen();
    const subscription = new SqliteSubscription(this.readDurableAfter, options, handler, this.pollIntervalMs, (s) =>
      this.subscriptions.delete(s),
    );
    this.subscriptions.add(subscription);
    subscription.wake();
    return subscription;
  }

  /** Ends every subscription (waiting for handlers in flight), then closes the file. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.flush(); // what was asked before close is committed and answered
      while (this.syncing) await this.syncing;
      clearTimeout(this.wakeTimer);
      await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
      this.db.close();
      if (this.walFd !== undefined) fs.closeSync(this.walFd);
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

function firstWrittenPosition(outcomes: readonly Outcome[]): number | undefined {
  for (const o of outcomes) if ('result' in o && o.result.events.length > 0) return o.result.events[0]!.position;
  return undefined;
}

function settle(batch: readonly PendingAppend[], outcomes: readonly Outcome[]): void {
  outcomes.forEach((o, i) => ('result' in o ? batch[i]!.resolve(o.result) : batch[i]!.reject(o.error)));
}
