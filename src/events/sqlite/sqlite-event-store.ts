import type Database from 'better-sqlite3';
import { openSqliteFile } from '../../sqlite/open-database.js';
import { ConcurrencyError } from '../../errors.js';
import type { NewEvent, RecordedEvent } from '../event-envelope.js';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from '../event-store.js';
import { chainHash } from '../hash-chain.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  stream_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  type TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  occurred_at TEXT NOT NULL,
  data TEXT NOT NULL,
  metadata TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  UNIQUE (stream_id, revision)
);
`;

const COLUMNS = 'position, event_id, stream_id, revision, type, schema_version, occurred_at, data, metadata, prev_hash, hash';

/** A row as better-sqlite3 returns it in raw mode (arrays are much cheaper than objects). */
type Row = [number, string, string, number, string, number, string, string, string, string, string];

function toEvent(row: Row): RecordedEvent {
  return {
    eventId: row[1],
    type: row[4],
    schemaVersion: row[5],
    occurredAt: row[6],
    data: JSON.parse(row[7]),
    metadata: JSON.parse(row[8]),
    streamId: row[2],
    revision: row[3],
    position: row[0],
    prevHash: row[9],
    hash: row[10],
  };
}

interface PendingAppend {
  streamId: string;
  events: readonly NewEvent[];
  expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/**
 * The embedded event store: one SQLite file in WAL mode with
 * synchronous=FULL, so `append` resolves only after the commit is on disk.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly subscriptions = new Set<LiveSubscription>();
  private pending: PendingAppend[] = [];
  private readonly stmt;
  private closed = false;

  private constructor(db: Database.Database, readonly pollIntervalMs: number) {
    this.db = db;
    this.stmt = {
      last: db.prepare<[string], { revision: number; hash: string; position: number }>(
        'SELECT revision, hash, position FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
      ),
      insert: db.prepare(
        `INSERT INTO events (event_id, stream_id, revision, type, schema_version, occurred_at, data, metadata, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      forwards: db
        .prepare<[string, number, number], Row>(
          `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`,
        )
        .raw(true),
      backwards: db
        .prepare<[string, number, number], Row>(
          `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
        )
        .raw(true),
      all: db
        .prepare<[number, number], Row>(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position ASC LIMIT ?`)
        .raw(true),
      head: db.prepare<[], { head: number | null }>('SELECT MAX(position) AS head FROM events'),
    };
  }

  static open(filePath: string, options: { pollIntervalMs?: number } = {}): SqliteEventStore {
    // FULL: append resolves only once the commit is fsynced. Catch-up reads
    // sweep the whole file: map it rather than read() it page by page.
    const db = openSqliteFile(filePath, { synchronous: 'FULL', secureDelete: false, mmapBytes: 1 << 30 });
    db.exec(SCHEMA);
    return new SqliteEventStore(db, options.pollIntervalMs ?? 200);
  }

  /**
   * Group commit: appends that arrive in the same turn of the event loop
   * share one transaction, so one fsync acknowledges them all. Each runs in
   * its own savepoint, so a failed expectation rejects only that append.
   */
  append(streamId: string, events: readonly NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    this.assertOpen();
    return new Promise((resolve, reject) => {
      this.pending.push({ streamId, events, expected: options.expectedRevision, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    let outcomes: Array<{ result: AppendResult } | { error: unknown }>;
    try {
      outcomes = this.db
        .transaction(() =>
          batch.map((append) => {
            try {
              return { result: this.appendOne(append.streamId, append.events, append.expected) };
            } catch (error) {
              return { error };
            }
          }),
        )
        .immediate();
    } catch (error) {
      // The commit itself failed: nothing of the batch is in the log.
      for (const append of batch) append.reject(error);
      return;
    }
    for (const subscription of this.subscriptions) subscription.wake();
    outcomes.forEach((outcome, i) => ('result' in outcome ? batch[i]!.resolve(outcome.result) : batch[i]!.reject(outcome.error)));
  }

  /** One append inside the batch's transaction: a savepoint, rolled back alone if it throws. */
  private readonly appendOne = (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendResult =>
    this.db.transaction((): AppendResult => {
      const current = this.stmt.last.get(streamId);
      checkExpected(streamId, expected, current?.revision);
      let revision = current?.revision ?? -1;
      let prevHash = current?.hash ?? '';
      const stored: RecordedEvent[] = [];
      for (const event of events) {
        revision++;
        const dataJson = JSON.stringify(event.data);
        const metadataJson = JSON.stringify(event.metadata);
        const hash = chainHash(streamId, revision, event, dataJson, metadataJson, prevHash);
        const info = this.insert(streamId, revision, event, dataJson, metadataJson, prevHash, hash);
        stored.push({ ...event, streamId, revision, position: Number(info.lastInsertRowid), prevHash, hash });
        prevHash = hash;
      }
      const position = stored.at(-1)?.position ?? current?.position ?? 0;
      return { nextExpectedRevision: revision, position, events: stored };
    })();

  /** The UNIQUE constraint on event_id refuses an event already in the log. */
  private insert(
    streamId: string,
    revision: number,
    event: NewEvent,
    ...json: [data: string, metadata: string, prevHash: string, hash: string]
  ): Database.RunResult {
    try {
      return this.stmt.insert.run(event.eventId, streamId, revision, event.type, event.schemaVersion, event.occurredAt, ...json);
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && String(error).includes('event_id')) {
        throw new ConcurrencyError(streamId, 'a new event id', `event ${event.eventId} already in the log`);
      }
      throw error;
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const limit = options.maxCount ?? -1;
    const rows =
      options.direction === 'backwards'
        ? this.stmt.backwards.all(streamId, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
        : this.stmt.forwards.all(streamId, options.fromRevision ?? 0, limit);
    return rows.map(toEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.readAllNow(options.fromPosition ?? 0, options.maxCount ?? -1);
  }

  /** Synchronous read for this adapter's subscriptions (not part of the port). */
  readAllNow(fromPosition: number, maxCount: number): RecordedEvent[] {
    return this.stmt.all.all(fromPosition, maxCount).map(toEvent);
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.stmt.head.get()?.head ?? 0;
  }

  subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    this.assertOpen();
    const subscription = new LiveSubscription(this, options, handler, () => this.subscriptions.delete(subscription));
    this.subscriptions.add(subscription);
    subscription.wake();
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush(); // acknowledge what was asked before closing
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.closed = true;
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the event store is closed');
  }
}

function checkExpected(streamId: string, expected: ExpectedRevision, current: number | undefined): void {
  const actual = current === undefined ? 'no_stream' : String(current);
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && current === undefined) ||
    (expected === 'stream_exists' && current !== undefined) ||
    (typeof expected === 'number' && current === expected);
  if (!ok) throw new ConcurrencyError(streamId, String(expected), actual);
}

/**
 * Delivers batches in order, one at a time: woken at once by appends in this
 * process, and by a timer for appends made by other processes on the file.
 */
class LiveSubscription implements Subscription {
  private position: number;
  private readonly batchSize: number;
  private running = false;
  private again = false;
  /** onCaughtUp is said once at first, then only after new events were delivered. */
  private announced = false;
  private stopped = false;
  private current: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly store: SqliteEventStore,
    options: SubscribeOptions,
    private readonly handler: SubscriptionHandler,
    private readonly onClose: () => void,
  ) {
    this.position = options.fromPosition;
    this.batchSize = options.batchSize ?? 500;
    this.timer = setInterval(() => this.wake(), store.pollIntervalMs);
    this.timer.unref();
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.current = this.drain().finally(() => {
      this.running = false;
    });
  }

  private async drain(): Promise<void> {
    try {
      do {
        this.again = false;
        for (;;) {
          if (this.stopped) return;
          const batch = this.store.readAllNow(this.position, this.batchSize);
          if (batch.length === 0) break;
          await this.handler.onEvents(batch);
          this.position = batch.at(-1)!.position;
          this.announced = false;
          if (batch.length < this.batchSize) break;
        }
        if (!this.stopped && !this.again && !this.announced) {
          this.announced = true;
          this.handler.onCaughtUp?.(this.position);
        }
      } while (this.again && !this.stopped);
    } catch (error) {
      this.stopped = true;
      clearInterval(this.timer);
      this.onClose();
      this.handler.onError?.(error);
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.onClose();
    await this.current;
  }
}
