import type { NewEvent, RecordedEvent } from './event-envelope.js';

/**
 * The event store port. Adapters: SQLite (embedded), KurrentDB (distributed).
 * Every adapter passes test/events/store/event-store.contract.ts.
 *
 * Revisions are 0-based per stream; a stream with one event is at revision 0.
 *
 * Positions are global and strictly increasing in log order: positive whole
 * numbers within Number's safe range, 0 meaning "before the first event".
 * They need not be contiguous nor start at 1: the embedded store counts
 * 1, 2, 3, ..., KurrentDB uses the commit positions of its transaction log
 * (byte offsets). So compare positions, never count with them: no `+ 1` for
 * "the next event", and a difference of two positions is not a number of
 * events. A position handed back to the store (`fromPosition`) is 0 or one
 * the store gave out (an event's, a head, a caught-up position): KurrentDB
 * refuses to read from a position that is not the start of a record.
 *
 * Event ids: an append refuses two events with the same id. Whether an id
 * already elsewhere in the log is refused depends on the adapter (KurrentDB
 * and SQLite logs created since issue 25 do not; older SQLite logs do, by a
 * unique index); ids are fresh UUIDs and retries are recognised by
 * idempotency keys, so nothing relies on it.
 */
export type ExpectedRevision =
  /** the stream must not exist yet */
  | 'no_stream'
  /** no check */
  | 'any'
  /** the stream must exist, at any revision */
  | 'stream_exists'
  /** the stream's last event must be at exactly this revision */
  | number;

export interface AppendResult {
  /** revision of the last appended event: pass it as the next expected revision */
  nextExpectedRevision: number;
  /** global position of the last appended event */
  position: number;
  /** the events as stored (with revision, position and hash) */
  events: RecordedEvent[];
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** inclusive; defaults to the first (forwards) or last (backwards) event */
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** exclusive: events strictly after this position (default 0: from the start) */
  fromPosition?: number;
  maxCount?: number;
}

/**
 * An event exactly as the log holds it: `dataJson` and `metadataJson` are the
 * stored text the hash covers (a read that parsed and re-serialised them
 * could hide a change that does not alter the parsed value).
 */
export type StoredEvent = Omit<RecordedEvent, 'data' | 'metadata'> & { dataJson: string; metadataJson: string };

/**
 * One stream from a revision (inclusive), or the whole log after a position
 * (exclusive). `type` on the log: only events of that type are needed (a
 * store that can select them returns only those, and an empty page means
 * none is left; another returns every event, and the caller checks).
 */
export type ReadStoredOptions =
  | { streamId: string; fromRevision?: number; maxCount?: number }
  | { streamId?: undefined; fromPosition?: number; maxCount?: number; type?: string };

export interface SubscriptionHandler {
  /** Called with batches in log order; the next batch waits for this promise. */
  onEvents(events: RecordedEvent[]): Promise<void> | void;
  /** Called each time the subscription has delivered everything in the log. */
  onCaughtUp?(position: number): void;
  /** A failure that ended the subscription (the handler threw, or the store failed). */
  onError?(error: unknown): void;
}

export interface SubscribeOptions {
  /** exclusive: deliver events strictly after this position */
  fromPosition: number;
  /** largest batch handed to onEvents */
  batchSize?: number;
}

export interface Subscription {
  /** Stops delivery; resolves once no onEvents call is in flight. */
  close(): Promise<void>;
}

export interface EventStore {
  /**
   * Appends atomically: all events or none. Resolves only once the events
   * are durable. A failed expectation rejects with ConcurrencyError.
   */
  append(
    streamId: string,
    events: readonly NewEvent[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult>;
  /** A stream that does not exist reads as no events. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Events as stored, for verifying the hash chain; a stream forwards by revision, the log by position. */
  readStored(options: ReadStoredOptions): Promise<StoredEvent[]>;
  /** Catch up from a position, then follow live appends. */
  subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription;
  /** Position of the last event in the log (0 when empty). */
  headPosition(): Promise<number>;
  close(): Promise<void>;
}
