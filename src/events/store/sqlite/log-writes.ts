import type Database from 'better-sqlite3';
import { ConcurrencyError } from '../../../errors.js';
import { batchedTransaction, type Outcome, RefusedUnwritten } from '../../../sqlite/batched-writes.js';
import type { NewEvent } from '../event-envelope.js';
import type { AppendResult, ExpectedRevision } from '../event-store.js';
import { checkDistinctIds, checkExpected } from '../expected-revision.js';
import { chainHash, recordedAt } from '../hash-chain.js';
import { INSERT_EVENT, isDuplicateEventId } from './event-schema.js';
import type { KnownHeads, StreamHead } from './known-heads.js';

/** An event as its row stores it: data and metadata already the exact JSON strings the chain hashes. */
export interface SerializedEvent {
  eventId: string;
  type: string;
  schemaVersion: number;
  occurredAt: string;
  dataJson: string;
  metadataJson: string;
}

/** One append as the log's writer gets it (on this thread, or posted to the writer thread). */
export interface AppendRequest {
  streamId: string;
  expected: ExpectedRevision;
  events: SerializedEvent[];
}

/**
 * What an append wrote, in few words (it crosses threads): the revision and
 * position of its last event (the stream's head when it had none), and its
 * chain links: the hash its first event follows, then each event's hash.
 */
export interface Written {
  next: number;
  position: number;
  links: string[];
}

export function serialize(event: NewEvent): SerializedEvent {
  return {
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    occurredAt: event.occurredAt,
    dataJson: JSON.stringify(event.data),
    metadataJson: JSON.stringify(event.metadata),
  };
}

/**
 * The append's result from what it wrote. Positions within one append are
 * consecutive (one writer holds the lock for the whole transaction). The
 * caller's data and metadata objects stand for what reads back: they are
 * what the stored strings were made from.
 */
export function appendResultOf(streamId: string, events: readonly NewEvent[], written: Written): AppendResult {
  const first = events.length - 1;
  return {
    nextExpectedRevision: written.next,
    position: written.position,
    events: events.map((event, i) =>
      recordedAt(
        streamId,
        { event, revision: written.next - first + i, prevHash: written.links[i]!, hash: written.links[i + 1]! },
        written.position - first + i,
      ),
    ),
  };
}

/**
 * Commits batches of appends to the log's table on one connection: one
 * BEGIN IMMEDIATE transaction per batch, a refused expectation refusing only
 * its own append (checked before it writes anything). `committing` runs
 * inside the transaction, before COMMIT, with the batch's first written
 * position (what others must know before they can see it), and returns an
 * undo for a commit that then fails. Throws when the transaction itself
 * fails: then nothing of the batch is written. With `heads` (./known-heads.ts)
 * an append reads its stream's head from memory when it can.
 */
export function logCommits(
  db: Database.Database,
  committing: (firstPosition: number) => () => void,
  heads?: KnownHeads,
): (batch: readonly AppendRequest[]) => Outcome<Written>[] {
  const streamHead = db
    .prepare<[string], StreamHead>(
      'SELECT revision, hash, position FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
    )
    .raw(true);
  const insert = db.prepare(INSERT_EVENT);
  const write = ({ streamId, expected, events }: AppendRequest): Written => {
    const head = heads?.known(streamId) ?? streamHead.get(streamId);
    try {
      checkExpected(streamId, expected, head?.[0]);
      checkDistinctIds(streamId, events); // the log has no index on ids (./event-schema.ts)
    } catch (error) {
      throw new RefusedUnwritten(error); // nothing of this append is written yet
    }
    let revision = head ? head[0] : -1;
    let position = head ? head[2] : 0;
    const links = [head ? head[1] : ''];
    heads?.writing(streamId);
    for (const event of events) {
      revision++;
      const hash = chainHash(streamId, revision, event, event.dataJson, event.metadataJson, links.at(-1)!);
      try {
        position = Number(
          insert.run(
            event.eventId,
            streamId,
            revision,
            event.type,
            event.schemaVersion,
            event.occurredAt,
            event.dataJson,
            event.metadataJson,
            links.at(-1),
            hash,
          ).lastInsertRowid,
        );
      } catch (error) {
        if (!isDuplicateEventId(error)) throw error; // only a log in the earlier format has the index
        throw new ConcurrencyError(
          streamId,
          'an event id not yet in the log',
          `event id ${event.eventId} already in the log`,
        );
      }
      links.push(hash);
    }
    return { next: revision, position, links };
  };
  let undo: (() => void) | undefined;
  const commit = batchedTransaction(
    db,
    write,
    // Before COMMIT: a reader on another connection that can see the batch must already see it as not durable.
    (outcomes) => {
      const written = writtenSpan(outcomes);
      undo = written === undefined ? undefined : committing(written.first);
    },
    // write() checks the expected revision before inserting anything; the heads forget what a transaction wrote
    { optimistic: true, ...(heads ? { begin: () => heads.begin() } : {}) },
  );
  return (batch) => {
    undo = undefined;
    try {
      const outcomes = commit(batch);
      outcomes.forEach((o, i) => {
        if ('result' in o && o.result.links.length > 1)
          heads?.committed(batch[i]!.streamId, [o.result.next, o.result.links.at(-1)!, o.result.position]);
      });
      return outcomes;
    } catch (error) {
      (undo as (() => void) | undefined)?.(); // set by beforeCommit, which TypeScript does not see run
      throw error;
    }
  };
}

/** The positions of the first and last events a batch wrote (undefined: it wrote none). */
export function writtenSpan(outcomes: readonly Outcome<Written>[]): { first: number; last: number } | undefined {
  let span: { first: number; last: number } | undefined;
  for (const o of outcomes) {
    if (!('result' in o) || o.result.links.length < 2) continue;
    const { position, links } = o.result;
    span = {
      first: Math.min(span?.first ?? Infinity, position - (links.length - 2)),
      last: Math.max(span?.last ?? 0, position),
    };
  }
  return span;
}
