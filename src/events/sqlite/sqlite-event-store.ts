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
import { chainHash } from '../hash-chain.js';
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

/**
 * The embedded event store: one SQLite file in WAL mode with
 * synchronous=FULL, so `append` resolves only once its commit is fsynced.
 * better-sqlite3 is synchronous; the async methods only wrap it.
 *
 * Group commit: appends that arrive in the same turn of the event loop share
 * one BEGIN IMMEDIATE transaction, so one fsync acknowledges them all; each
 * runs in its own savepoint, so a failed expectation rejects only its own
 * append. Several processes may open the same file (the write lock is waited
 * for up to 5 s), and subscriptions poll for what the others append.
 */
export class SqliteEventStore implements EventStore {
  private readonly subscriptions = new Set<SqliteSubscription>();
  private readonly statements: ReturnType<typeof prepare>;
  private readonly commitBatch: (batch: readonly PendingAppend[]) => Outcome[];
  private pending: PendingAppend[] = [];
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
    // FULL: in WAL mode every commit fsyncs the WAL, so an acknowledged append
    // survives power loss (NORMAL may lose the last commits). Catch-up reads
    // sweep the whole file: map it rather than read() it page by page.
    const db = openSqliteFile(filePath, { synchronous: 'FULL', secureDelete: false, mmapBytes: 1 << 30 });
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

  /** Commits every append queued since the last flush in one transaction. */
  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    let outcomes: Outcome[];
    try {
      outcomes = this.commitBatch(batch);
    } catch (error) {
      // The commit itself failed: nothing of the batch is in the log.
      for (const append of batch) append.reject(error);
      return;
    }
    if (outcomes.some((o) => 'result' in o && o.result.events.length > 0)) {
      for (const subscription of this.subscriptions) subscription.wake();
    }
    outcomes.forEach((o, i) => ('result' in o ? batch[i]!.resolve(o.result) : batch[i]!.reject(o.error)));
  }

  /** Runs inside the BEGIN IMMEDIATE transaction: any throw rolls the whole append back. */
  private write(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendResult {
    const head = this.statements.streamHead.get(streamId);
    checkExpected(streamId, expected, head?.[0]);
    let revision = head ? head[0] : -1;
    let prevHash = head ? head[1] : '';
    let position = head ? head[2] : 0;
    const stored: RecordedEvent[] = [];
    for (const event of events) {
      revision++;
      const data = JSON.stringify(event.data);
      const metadata = JSON.stringify(event.metadata);
      const hash = chainHash(streamId, revision, event, data, metadata, prevHash);
      position = this.insert(streamId, revision, event, data, metadata, prevHash, hash);
      // NewEvent data and metadata are already plain JSON values (encoded for
      // storage), so the caller's objects stand for what reads back. Parsing
      // the stored strings again would add ~1 µs (~6%) per batched event.
      stored.push({
        eventId: event.eventId,
        type: event.type,
        schemaVersion: event.schemaVersion,
        occurredAt: event.occurredAt,
        data: event.data,
        metadata: event.metadata,
        streamId,
        revision,
        position,
        prevHash,
        hash,
      });
      prevHash = hash;
    }
    return { nextExpectedRevision: revision, position, events: stored };
  }

  private insert(streamId: string, revision: number, event: NewEvent, data: string, metadata: string, prevHash: string, hash: string): number {
    try {
      const { lastInsertRowid } = this.statements.insert.run(
        event.eventId,
        streamId,
        revision,
        event.type,
        event.schemaVersion,
        event.occurredAt,
        data,
        metadata,
        prevHash,
        hash,
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

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.statements.head.get()?.[0] ?? 0;
  }

  subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    this.assertOpen();
    const subscription = new SqliteSubscription(this.readAfter, options, handler, this.pollIntervalMs, (s) =>
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
      await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
      this.db.close();
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
    head: db.prepare<[], [number | null]>('SELECT MAX(position) FROM events').raw(true),
  };
}

/** Throws unless the stream's current revision (undefined: no stream) meets the expectation. */
function checkExpected(streamId: string, expected: ExpectedRevision, current: number | undefined): void {
  const met =
    expected === 'any' ||
    (expected === 'no_stream' ? current === undefined : expected === 'stream_exists' ? current !== undefined : current === expected);
  if (!met) throw new ConcurrencyError(streamId, String(expected), current === undefined ? 'no_stream' : String(current));
}
