import type Database from 'better-sqlite3';
import { SameTurnBatches } from '../../../sqlite/batched-writes.js';
import { CounterWatch } from '../../../sqlite/commit-counter.js';
import { OtherCommits } from '../../../sqlite/data-version.js';
import { LOG_MMAP_MB, openSqliteFile } from '../../../sqlite/open-database.js';
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
import {
  EVENTS_SCHEMA,
  type LogReadStatements,
  prepareLogReads,
  toRecordedEvent,
  toStoredEvent,
} from './event-schema.js';
import { DurableBoundary } from './durable-boundary.js';
import { InlineLogWriter } from './inline-log-writer.js';
import { FOLLOWER_BATCH_MS, LiveDelivery } from './live-delivery.js';
import { appendResultOf, serialize, type AppendRequest } from './log-writes.js';
import { StreamEnds } from './stream-ends.js';
import { ThreadedLogWriter } from './threaded-log-writer.js';
import { WalFile } from './wal-file.js';

/** The log's file in the data directory of the embedded shape. */
export const EMBEDDED_LOG_FILE = 'events.sqlite';

/**
 * The page cache of a store that follows another thread's boundary (the
 * projection thread's): it reads the log forward, each page once, and a
 * cache of the thread's size (16 MB by default) filled with pages it never
 * read again, in RSS all the same. 2 MB keeps the b-tree's inner pages.
 */
const FOLLOWER_CACHE_MB = 2;

export interface SqliteEventStoreOptions {
  /**
   * How long a subscription waits, when nothing woke it, before looking for
   * events appended by other processes (default 200 ms; a store that follows
   * another thread's boundary is woken by its announcements, and polls only
   * as often as those come under load: FOLLOWER_BATCH_MS).
   */
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
   * Who commits and fsyncs: the event loop, fsyncing on libuv's thread pool
   * (default; best for appends awaited one at a time: ./inline-log-writer.ts),
   * or a thread of its own with its own connection (best under concurrent
   * appends, the server's choice: ./threaded-log-writer.ts).
   */
  writeOn?: 'loop' | 'thread';
  /** megabytes of the file this connection maps into memory (default LOG_MMAP_MB: none) */
  mmapMb?: number;
}

interface PendingAppend {
  request: AppendRequest;
  events: readonly NewEvent[];
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/**
 * The embedded event store: one SQLite file in WAL mode. `append` resolves
 * only once its commit is durable.
 *
 * Durability without blocking: SQLite commits with synchronous=NORMAL and
 * the store fsyncs the WAL itself off the event loop before it
 * acknowledges: on the thread pool after committing on this connection
 * (./inline-log-writer.ts), or on a writer thread that also commits, with
 * a connection of its own (./threaded-log-writer.ts; `writeOn`; this
 * connection then only reads). better-sqlite3 is synchronous, so
 * with synchronous=FULL every fsync stalled the whole process; now requests
 * keep being served while the disk syncs. Until its fsync completes an
 * event is not acknowledged and not delivered to subscriptions (so no read
 * model can get ahead of what a power cut would leave), though a stream
 * read may see it; a command deciding on it appends after it, and is
 * acknowledged only by a later fsync that covers both.
 *
 * Appends that arrive in the same turn of the event loop share one BEGIN
 * IMMEDIATE transaction (on the writer thread: appends that arrive while
 * it is busy), and a failed expectation rejects only its own
 * append: it is checked before the append writes anything. An append that
 * fails after writing (an event id already in a log of the earlier format,
 * ./event-schema.ts) has the batch run again with each append in a
 * savepoint of its own. Several processes may
 * open the same file (the write lock is waited for up to 5 s), and subscriptions poll
 * for what the others append (./live-delivery.ts). A command's read of its
 * own stream is answered from memory when the store knows where the stream
 * ends (./stream-ends.ts).
 */
export class SqliteEventStore implements EventStore {
  private readonly statements: LogReadStatements;
  private readonly pending = new SameTurnBatches<PendingAppend>((batch) => this.flush(batch));
  private readonly writer: InlineLogWriter | ThreadedLogWriter;
  private readonly ends: StreamEnds;
  private readonly live: LiveDelivery;
  private closing: Promise<void> | undefined;
  /** the WAL, for syncing other connections' commits before delivering them (see syncCommitted) */
  private wal: WalFile | undefined;

  private constructor(
    private readonly db: Database.Database,
    pollIntervalMs: number,
    options: SqliteEventStoreOptions,
  ) {
    this.statements = prepareLogReads(db);
    const published = options.boundary?.role === 'publish' ? options.boundary.shared : undefined;
    const followed = options.boundary?.role === 'follow' ? options.boundary.shared : undefined;
    this.live = new LiveDelivery(
      {
        readAfter: (position, bound, maxCount) =>
          bound === undefined
            ? this.readAfter(position, maxCount)
            : this.statements.afterBelow.all(position, bound, maxCount).map(toRecordedEvent),
        ownBoundary: () => this.writer.firstUnsynced,
        syncCommitted: () => this.syncCommitted(),
      },
      pollIntervalMs,
      { followed, published },
    );
    if (options.writeOn === 'thread') {
      const writer = new ThreadedLogWriter(db.name, published ?? new DurableBoundary(), (through) =>
        this.live.durable(through),
      );
      this.writer = writer;
      // This connection cannot tell the thread's commits from another process's: the thread tells.
      this.ends = new StreamEnds(new CounterWatch(writer.foreign));
    } else {
      this.writer = new InlineLogWriter(db, (through) => this.live.durable(through), published);
      this.ends = new StreamEnds(new OtherCommits(db));
    }
  }

  /** Opens (creating the folder, file and table when missing) the log at `filePath`. */
  static open(filePath: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    const pollIntervalMs = options.pollIntervalMs ?? (options.boundary?.role === 'follow' ? FOLLOWER_BATCH_MS : 200);
    if (!(pollIntervalMs > 0 && Number.isFinite(pollIntervalMs)))
      throw new RangeError('pollIntervalMs must be a positive number');
    // NORMAL: the store fsyncs the WAL itself, off the main thread (class comment). Not mapped unless configured.
    const mmapBytes = (options.mmapMb ?? LOG_MMAP_MB) * 1024 * 1024;
    const db = openSqliteFile(filePath, {
      synchronous: 'NORMAL',
      secureDelete: false,
      ...(mmapBytes > 0 ? { mmapBytes } : {}),
      ...(options.boundary?.role === 'follow' ? { cacheMb: FOLLOWER_CACHE_MB } : {}),
    });
    try {
      db.pragma('foreign_keys = ON');
      db.exec(EVENTS_SCHEMA);
      return new SqliteEventStore(db, pollIntervalMs, options);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  append(
    streamId: string,
    events: readonly NewEvent[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.assertOpen(); // inside the executor: a closed store rejects, it does not throw
      const request = { streamId, expected: options.expectedRevision, events: events.map(serialize) };
      // Posted at the turn's end with the turn's other appends, even to an idle writer thread: one message,
      // round and answer for them all (posting the first at once cost the process ~5% more CPU per mutation).
      this.pending.push({ request, events, resolve, reject });
    });
  }

  /** Commits every append queued since the last flush in one transaction, and settles each once it is durable. */
  private flush(batch: PendingAppend[]): void {
    this.writer.write(batch.map((append) => append.request)).then(
      (outcomes) =>
        outcomes.forEach((o, i) => {
          const { request, events, resolve, reject } = batch[i]!;
          if (!('result' in o)) return reject(o.error);
          this.ends.learn(request.streamId, o.result.next + 1);
          resolve(appendResultOf(request.streamId, events, o.result));
        }),
      (error: unknown) => batch.forEach((append) => append.reject(error)),
    );
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const limit = options.maxCount ?? -1;
    if (options.direction === 'backwards') {
      return this.statements.backwards
        .all(streamId, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
        .map(toRecordedEvent);
    }
    const from = options.fromRevision ?? 0;
    if (this.ends.emptyFrom(streamId, from)) return [];
    const events = this.statements.forwards.all(streamId, from, limit).map(toRecordedEvent);
    // Fewer than asked: the read reached the stream's end.
    if (limit < 0 || events.length < limit)
      this.ends.learn(streamId, events.length ? events.at(-1)!.revision + 1 : from);
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
        : options.type !== undefined
          ? this.statements.afterOfType.all(options.fromPosition ?? 0, options.type, limit)
          : this.statements.after.all(options.fromPosition ?? 0, limit);
    return rows.map(toStoredEvent);
  }

  /**
   * Everything committed so far made durable, by this connection's own
   * fdatasync of the WAL (the page cache is the file's, whoever wrote it;
   * what a checkpoint already moved into the database file was synced by
   * it). Returns the head position it covered.
   */
  private syncCommitted(): number {
    const head = this.statements.head.get()?.[0] ?? 0;
    this.wal ??= new WalFile(`${this.db.name}-wal`);
    try {
      this.wal.sync();
    } catch (error) {
      // No WAL: everything was checkpointed into the database file, and the checkpoint synced it.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return head;
  }

  private readonly readAfter = (position: number, maxCount: number): RecordedEvent[] =>
    this.statements.after.all(position, maxCount).map(toRecordedEvent);

  /** The log's file, for another thread to read it (./log-reader.ts); undefined for a database in memory. */
  get file(): string | undefined {
    const name = this.db.name;
    return name === '' || name === ':memory:' ? undefined : name;
  }

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
      await this.writer.settled();
      await this.live.close();
      await this.writer.close();
      this.wal?.close();
      this.db.close();
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('the event store is closed');
  }
}
