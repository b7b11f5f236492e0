import type { EventData, JSONEventType, Position, ReadPosition } from '@kurrent/kurrentdb-client';
import type { EventMetadata, NewEvent, RecordedEvent } from '../event-envelope.js';
import type { StoredEvent } from '../event-store.js';
import { chainEvents, recordedAt } from '../hash-chain.js';
import { kurrent } from './kurrentdb-client.js';

/**
 * How one ledger event is laid out in KurrentDB. The log format is the same
 * as the embedded one (src/events/store/sqlite/event-schema.ts), field for field:
 *
 * - KurrentDB's own fields carry the event id (a UUID), the stream, the
 *   revision (its event number) and the type;
 * - the event's data is a JSON event whose bytes are `JSON.stringify(data)`,
 *   the very string the hash covers (the client serialises with
 *   JSON.stringify, which is deterministic for the same value); personal
 *   values inside it are the sealed `{"$pd":1,...}` objects, as-is;
 * - KurrentDB's event metadata holds what it has no field for: the schema
 *   version, the instant, our metadata (actor, correlation, ...), prevHash
 *   and hash. Our metadata sits in it as an object; JSON.stringify of what
 *   reads back is byte for byte the string that was hashed, because parsing
 *   and re-serialising JSON that JSON.stringify wrote is the identity.
 *
 * `format` names this layout, so a reader can tell our events from anything
 * else written to a stream with one of our prefixes.
 */
export const RECORD_FORMAT = 'privacy-ledger/v1';

export interface StoredMetadata {
  format: typeof RECORD_FORMAT;
  schemaVersion: number;
  occurredAt: string;
  metadata: EventMetadata;
  prevHash: string;
  hash: string;
}

type LedgerEventType = JSONEventType<string, Record<string, unknown>, StoredMetadata>;

/** A stream's last event as an append needs it. */
export interface StreamHead {
  revision: number;
  hash: string;
}

/**
 * Chains `events` after `head` (undefined: a new stream): each gets the next
 * revision, its hash over the stored strings, and the KurrentDB event to
 * send. The recorded events' positions are 0: the log assigns them.
 */
export function chainForAppend(
  streamId: string,
  head: StreamHead | undefined,
  events: readonly NewEvent[],
): { proposed: EventData<LedgerEventType>[]; recorded: RecordedEvent[] } {
  const chained = chainEvents(streamId, head, events);
  const proposed = chained.map(({ event, prevHash, hash }) => {
    const metadata: StoredMetadata = {
      format: RECORD_FORMAT,
      schemaVersion: event.schemaVersion,
      occurredAt: event.occurredAt,
      metadata: event.metadata,
      prevHash,
      hash,
    };
    return kurrent().jsonEvent<LedgerEventType>({ id: event.eventId, type: event.type, data: event.data, metadata });
  });
  return { proposed, recorded: chained.map((c) => recordedAt(streamId, c, 0)) };
}

/** The part of the client's recorded event that decoding reads (stream and $all reads alike). */
export interface KurrentRecord {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  isJson: boolean;
  data: unknown;
  metadata: unknown;
  position?: Position;
}

/** Turns a KurrentDB event of one of our streams back into the ledger's RecordedEvent. */
export function decodeRecord(record: KurrentRecord): RecordedEvent {
  const stored = record.metadata as Partial<StoredMetadata> | undefined;
  if (
    !record.isJson ||
    !isObject(record.data) ||
    !isObject(stored) ||
    stored.format !== RECORD_FORMAT ||
    !isObject(stored.metadata)
  ) {
    throw new Error(`event ${record.id} in stream ${record.streamId} is not a privacy-ledger event (${RECORD_FORMAT})`);
  }
  if (!record.position) {
    throw new Error('KurrentDB did not report the event position: the server must be version 22.6 or later');
  }
  return {
    eventId: record.id,
    type: record.type,
    schemaVersion: Number(stored.schemaVersion),
    occurredAt: String(stored.occurredAt),
    data: record.data,
    metadata: stored.metadata as EventMetadata,
    streamId: record.streamId,
    revision: Number(record.revision),
    position: toLedgerPosition(record.position),
    prevHash: String(stored.prevHash),
    hash: String(stored.hash),
  };
}

/**
 * A decoded event as the hash chain saw it: the data and metadata strings
 * are JSON.stringify of what reads back, which is byte for byte what was
 * hashed (see the layout above). So verification here checks the values as
 * the server holds them, not the server's own bytes on disk.
 */
export function toStoredEvent(event: RecordedEvent): StoredEvent {
  const { data, metadata, ...rest } = event;
  return { ...rest, dataJson: JSON.stringify(data), metadataJson: JSON.stringify(metadata) };
}

/**
 * KurrentDB's $all positions are byte offsets in its transaction log (the
 * commit position of each event). They increase strictly from event to event
 * but are not contiguous and do not start at 1; the port only promises
 * "strictly increasing", so they serve as ledger positions unchanged.
 *
 * They become JS numbers because everything above the port (checkpoints,
 * read-your-writes, the GraphQL `position` string) holds positions as
 * numbers. A number is exact up to 2^53 bytes, 8 PiB of transaction log, far
 * beyond any ledger; past it the conversion refuses rather than round.
 *
 * Only the commit position is kept. Events written by appends (implicit
 * transactions, all that the gRPC API writes) have their prepare position
 * equal to their commit position, so {commit: p, prepare: p} addresses the
 * event exactly when a read or a subscription resumes after it (KurrentDB
 * relies on this itself for filtered $all checkpoints since 24.10).
 */
export function toLedgerPosition(position: Position): number {
  if (position.commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`KurrentDB commit position ${position.commit} is beyond 2^53 and cannot be a ledger position`);
  }
  return Number(position.commit);
}

/** Where to resume after a ledger position: the start of the log for 0. */
export function toReadPosition(position: number): ReadPosition {
  if (position <= 0) return 'start';
  const commit = BigInt(position);
  return { commit, prepare: commit };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
