import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConcurrencyError } from '../../../src/errors.js';
import type { NewEvent, RecordedEvent } from '../../../src/events/store/event-envelope.js';
import type { EventStore, SubscriptionHandler } from '../../../src/events/store/event-store.js';
import { chainHash } from '../../../src/events/store/hash-chain.js';

/**
 * Makes a store over a fresh, empty log, and a cleanup that closes it (the
 * store may already be closed) and removes whatever the store left behind.
 */
export type EventStoreFactory = () => Promise<{ store: EventStore; cleanup(): Promise<void> }>;

/** A small event ready to append; `n` makes its instant and data distinct. */
export const newEvent = (n = 0, overrides: Partial<NewEvent> = {}): NewEvent => ({
  eventId: crypto.randomUUID(),
  type: 'TestEvent',
  schemaVersion: 1,
  occurredAt: new Date(Date.UTC(2026, 10, 22, 10, 0, n % 60, n)).toISOString(),
  data: { n, nested: { list: [1, 'two', null, true], text: '统一社会信用代码 é "quoted" \\ \n' } },
  metadata: { actor: { id: 'tester', kind: 'system' }, correlationId: 'c-1' },
  ...overrides,
});

const events = (count: number, from = 0) => Array.from({ length: count }, (_, i) => newEvent(from + i));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// Each wait is for a handful of events; the deadline only turns a hang into a message before the
// test's own 30 s timeout. A loaded machine (and a disk other processes fsync to) can take seconds.
const until = async (condition: () => boolean, what: string, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
};
const revisions = (list: readonly RecordedEvent[]) => list.map((e) => e.revision);
const conflict = (streamId: string, expected: string, actual: string) =>
  expect.objectContaining({ code: 'CONFLICT', streamId, expected, actual });

/** Records what a subscription hands over, for one stream or all of them. */
function recorder(onlyStream?: string) {
  const seen: RecordedEvent[] = [];
  const batches: RecordedEvent[][] = [];
  const caughtUp: number[] = [];
  const errors: unknown[] = [];
  const handler: SubscriptionHandler = {
    onEvents: (batch) => {
      batches.push(batch);
      seen.push(...batch.filter((e) => onlyStream === undefined || e.streamId === onlyStream));
    },
    onCaughtUp: (position) => void caughtUp.push(position),
    onError: (error) => void errors.push(error),
  };
  return { seen, batches, caughtUp, errors, handler };
}

/** Where adapters may differ within the port (src/events/store/event-store.ts); each adapter states its own. */
export interface EventStoreContractOptions {
  /**
   * The factory hands out a fresh, empty log whose positions count 1, 2, 3...
   * (SQLite). KurrentDB's log is one shared server whose positions are
   * commit positions: increasing, with gaps, never starting at 1.
   */
  freshLogCountingFromOne: boolean;
  /**
   * An event id already anywhere in the log is refused (SQLite's unique
   * index). KurrentDB only refuses a repeated id within one append.
   */
  refusesEventIdsAlreadyInLog: boolean;
}

/**
 * The behaviour every EventStore adapter must show. Each adapter's test file
 * calls this with its factory and its options. Tests name their own streams
 * at random, so they hold on a log that other tests share, except the one
 * that checks that a fresh log starts empty at position 0.
 */
export function eventStoreContract(
  adapterName: string,
  factory: EventStoreFactory,
  options: EventStoreContractOptions,
): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;
    const stream = () => `test-${crypto.randomUUID()}`;

    beforeEach(async () => {
      ({ store, cleanup } = await factory());
    });
    afterEach(async () => {
      await cleanup();
    });

    describe('revisions and positions', () => {
      it.runIf(options.freshLogCountingFromOne)(
        'an empty log has head position 0 and no events, and its first event lands at position 1',
        async () => {
          expect(await store.headPosition()).toBe(0);
          expect(await store.readAll()).toEqual([]);
          const result = await store.append(stream(), events(1), { expectedRevision: 'no_stream' });
          expect(result.events[0]!.position).toBe(1);
          expect(await store.headPosition()).toBe(1);
        },
      );

      it('positions are positive whole numbers within the safe range, and the head is one of them', async () => {
        const result = await store.append(stream(), events(3), { expectedRevision: 'no_stream' });
        for (const event of result.events) {
          expect(Number.isSafeInteger(event.position)).toBe(true);
          expect(event.position).toBeGreaterThan(0);
        }
        const head = await store.headPosition();
        expect(Number.isSafeInteger(head)).toBe(true);
        expect(head).toBeGreaterThanOrEqual(result.position);
      });

      it('revisions count from 0 in each stream while positions increase across the whole log', async () => {
        const a = stream();
        const b = stream();
        const a1 = await store.append(a, events(2), { expectedRevision: 'no_stream' });
        const b1 = await store.append(b, events(1), { expectedRevision: 'no_stream' });
        const a2 = await store.append(a, events(1), { expectedRevision: 1 });
        expect(revisions(a1.events)).toEqual([0, 1]);
        expect(revisions(b1.events)).toEqual([0]);
        expect(revisions(a2.events)).toEqual([2]);
        const positions = [...a1.events, ...b1.events, ...a2.events].map((e) => e.position);
        positions.slice(1).forEach((position, i) => expect(position).toBeGreaterThan(positions[i]!));
      });

      it('a refused append uses up no revision, and later positions are still new and increasing', async () => {
        const s = stream();
        const first = await store.append(s, events(2), { expectedRevision: 'no_stream' });
        await expect(store.append(s, events(2), { expectedRevision: 0 })).rejects.toBeInstanceOf(ConcurrencyError);
        const next = await store.append(s, events(2), { expectedRevision: 1 });
        expect(revisions(next.events)).toEqual([2, 3]);
        expect(next.events[0]!.position).toBeGreaterThan(first.position);
        const positions = (await store.readAll()).map((e) => e.position);
        expect(new Set(positions).size).toBe(positions.length);
      });
    });

    describe('append', () => {
      it('appending to a new stream stores the events from revision 0 and reports the last revision and position', async () => {
        const s = stream();
        const result = await store.append(s, events(3), { expectedRevision: 'no_stream' });
        expect(revisions(result.events)).toEqual([0, 1, 2]);
        expect(result.nextExpectedRevision).toBe(2);
        expect(result.position).toBe(result.events[2]!.position);
        expect(result.events.every((e) => e.streamId === s)).toBe(true);
      });

      it('the append result holds the events exactly as they read back', async () => {
        const s = stream();
        const result = await store.append(s, events(3), { expectedRevision: 'no_stream' });
        expect(await store.readStream(s)).toEqual(result.events);
      });

      it('appending at the current revision continues the stream', async () => {
        const s = stream();
        const first = await store.append(s, events(2), { expectedRevision: 'no_stream' });
        const second = await store.append(s, events(1), { expectedRevision: first.nextExpectedRevision });
        expect(revisions(second.events)).toEqual([2]);
        expect(second.nextExpectedRevision).toBe(2);
      });

      it('appending with a stale revision is refused with a conflict and appends nothing', async () => {
        const s = stream();
        await store.append(s, events(2), { expectedRevision: 'no_stream' });
        const head = await store.headPosition();
        const attempt = store.append(s, events(3), { expectedRevision: 0 });
        await expect(attempt).rejects.toBeInstanceOf(ConcurrencyError);
        await expect(attempt).rejects.toEqual(conflict(s, '0', '1'));
        expect(await store.readStream(s)).toHaveLength(2);
        expect(await store.headPosition()).toBe(head);
      });

      it('appending with a revision the stream has not reached is refused with a conflict', async () => {
        const s = stream();
        await store.append(s, events(2), { expectedRevision: 'no_stream' });
        await expect(store.append(s, events(1), { expectedRevision: 5 })).rejects.toEqual(conflict(s, '5', '1'));
        expect(await store.readStream(s)).toHaveLength(2);
      });

      it('expecting a revision of a stream that does not exist is refused, reporting no_stream', async () => {
        const s = stream();
        await expect(store.append(s, events(1), { expectedRevision: 0 })).rejects.toEqual(
          conflict(s, '0', 'no_stream'),
        );
        expect(await store.readStream(s)).toEqual([]);
      });

      it("'no_stream' is refused once the stream exists", async () => {
        const s = stream();
        await store.append(s, events(1), { expectedRevision: 'no_stream' });
        await expect(store.append(s, events(1), { expectedRevision: 'no_stream' })).rejects.toEqual(
          conflict(s, 'no_stream', '0'),
        );
        expect(await store.readStream(s)).toHaveLength(1);
      });

      it("'stream_exists' is refused for a stream that does not exist, and accepted once it does", async () => {
        const s = stream();
        await expect(store.append(s, events(1), { expectedRevision: 'stream_exists' })).rejects.toEqual(
          conflict(s, 'stream_exists', 'no_stream'),
        );
        expect(await store.readStream(s)).toEqual([]);
        await store.append(s, events(1), { expectedRevision: 'no_stream' });
        const result = await store.append(s, events(1), { expectedRevision: 'stream_exists' });
        expect(result.nextExpectedRevision).toBe(1);
      });

      it("'any' appends to a new stream and to an existing one", async () => {
        const s = stream();
        expect((await store.append(s, events(1), { expectedRevision: 'any' })).nextExpectedRevision).toBe(0);
        expect((await store.append(s, events(2), { expectedRevision: 'any' })).nextExpectedRevision).toBe(2);
      });

      it.runIf(options.refusesEventIdsAlreadyInLog)(
        'an append is all or nothing: an event id already in the stream refuses the whole append',
        async () => {
          const s = stream();
          const [first] = (await store.append(s, events(1), { expectedRevision: 'no_stream' })).events;
          const head = await store.headPosition();
          const attempt = store.append(s, [newEvent(1), newEvent(2, { eventId: first!.eventId }), newEvent(3)], {
            expectedRevision: 0,
          });
          await expect(attempt).rejects.toBeInstanceOf(ConcurrencyError);
          await expect(attempt).rejects.toMatchObject({ code: 'CONFLICT', streamId: s });
          expect(await store.readStream(s)).toHaveLength(1);
          expect(await store.headPosition()).toBe(head);
        },
      );

      it.runIf(options.refusesEventIdsAlreadyInLog)(
        'an event id already used in another stream is refused, and nothing of that append is written',
        async () => {
          const [used] = (await store.append(stream(), events(1), { expectedRevision: 'no_stream' })).events;
          const s = stream();
          await expect(
            store.append(s, [newEvent(1), newEvent(2, { eventId: used!.eventId })], { expectedRevision: 'no_stream' }),
          ).rejects.toBeInstanceOf(ConcurrencyError);
          expect(await store.readStream(s)).toEqual([]);
        },
      );

      it('two events with the same id in one append are refused, and nothing is written', async () => {
        const s = stream();
        const twin = newEvent(1);
        await expect(store.append(s, [twin, { ...twin }], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(
          ConcurrencyError,
        );
        expect(await store.readStream(s)).toEqual([]);
      });

      it("appending no events writes nothing and reports the stream's last revision and position", async () => {
        const s = stream();
        const first = await store.append(s, events(2), { expectedRevision: 'no_stream' });
        await store.append(stream(), events(1), { expectedRevision: 'no_stream' });
        const head = await store.headPosition();
        const empty = await store.append(s, [], { expectedRevision: 1 });
        expect(empty).toEqual({ nextExpectedRevision: 1, position: first.position, events: [] });
        expect(await store.readStream(s)).toHaveLength(2);
        expect(await store.headPosition()).toBe(head);
      });

      it('appending no events to a stream that does not exist leaves it missing and reports revision -1 and position 0', async () => {
        const s = stream();
        expect(await store.append(s, [], { expectedRevision: 'no_stream' })).toEqual({
          nextExpectedRevision: -1,
          position: 0,
          events: [],
        });
        expect(await store.append(s, [], { expectedRevision: 'any' })).toEqual({
          nextExpectedRevision: -1,
          position: 0,
          events: [],
        });
        // Still no stream: 'no_stream' holds for the first real append.
        await expect(store.append(s, events(1), { expectedRevision: 'no_stream' })).resolves.toMatchObject({
          nextExpectedRevision: 0,
        });
      });

      it('appending no events still checks the expected revision', async () => {
        const s = stream();
        await store.append(s, events(2), { expectedRevision: 'no_stream' });
        await expect(store.append(s, [], { expectedRevision: 0 })).rejects.toEqual(conflict(s, '0', '1'));
        await expect(store.append(s, [], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(ConcurrencyError);
        await expect(store.append(stream(), [], { expectedRevision: 'stream_exists' })).rejects.toBeInstanceOf(
          ConcurrencyError,
        );
      });

      it('concurrent appends expecting the same revision: exactly one wins, the others conflict', async () => {
        const s = stream();
        await store.append(s, events(1), { expectedRevision: 'no_stream' });
        const results = await Promise.allSettled(
          Array.from({ length: 5 }, (_, i) => store.append(s, events(2, i * 2), { expectedRevision: 0 })),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConcurrencyError);
        expect(revisions(await store.readStream(s))).toEqual([0, 1, 2]);
      });
    });

    describe('reading', () => {
      it('every field of an event round-trips exactly', async () => {
        const s = stream();
        const written = newEvent(7, {
          type: 'SomethingHappened',
          schemaVersion: 3,
          occurredAt: '2026-11-22T10:00:07.123Z',
          data: {
            text: 'ü 😀 \u2028',
            int: 42,
            float: -0.5,
            big: 2 ** 53 - 1,
            flag: false,
            none: null,
            list: [{ a: [] }, {}],
            empty: '',
          },
          metadata: {
            actor: { id: 'user-1', kind: 'user', role: 'admin' },
            correlationId: 'c-7',
            causationId: 'e-6',
            requestId: 'r-1',
            idempotency: { key: 'k', fingerprint: 'f' },
          },
        });
        const start = await store.headPosition();
        const { events: stored } = await store.append(s, [written], { expectedRevision: 'no_stream' });
        const [read] = await store.readStream(s);
        expect(read).toEqual({
          ...written,
          streamId: s,
          revision: 0,
          position: stored[0]!.position,
          prevHash: '',
          hash: stored[0]!.hash,
        });
        expect((await store.readAll({ fromPosition: start, maxCount: 1 }))[0]).toEqual(read);
      });

      it('a stream that does not exist reads as no events, forwards and backwards', async () => {
        expect(await store.readStream(stream())).toEqual([]);
        expect(await store.readStream(stream(), { direction: 'backwards' })).toEqual([]);
      });

      it('reads a stream forwards from the start or from a revision (inclusive), up to a count', async () => {
        const s = stream();
        await store.append(s, events(5), { expectedRevision: 'no_stream' });
        expect(revisions(await store.readStream(s))).toEqual([0, 1, 2, 3, 4]);
        expect(revisions(await store.readStream(s, { direction: 'forwards', fromRevision: 2 }))).toEqual([2, 3, 4]);
        expect(revisions(await store.readStream(s, { fromRevision: 1, maxCount: 2 }))).toEqual([1, 2]);
        expect(revisions(await store.readStream(s, { fromRevision: 5 }))).toEqual([]);
      });

      it('reads a stream backwards from the last event or from a revision (inclusive), up to a count', async () => {
        const s = stream();
        await store.append(s, events(5), { expectedRevision: 'no_stream' });
        expect(revisions(await store.readStream(s, { direction: 'backwards' }))).toEqual([4, 3, 2, 1, 0]);
        expect(revisions(await store.readStream(s, { direction: 'backwards', maxCount: 2 }))).toEqual([4, 3]);
        expect(revisions(await store.readStream(s, { direction: 'backwards', fromRevision: 3, maxCount: 2 }))).toEqual([
          3, 2,
        ]);
        expect(revisions(await store.readStream(s, { direction: 'backwards', fromRevision: 0 }))).toEqual([0]);
      });

      it('reads only the events of the stream asked for', async () => {
        const a = stream();
        const b = stream();
        await store.append(a, events(1), { expectedRevision: 'no_stream' });
        await store.append(b, events(2), { expectedRevision: 'no_stream' });
        await store.append(a, events(1), { expectedRevision: 0 });
        const read = await store.readStream(a);
        expect(read.map((e) => [e.streamId, e.revision])).toEqual([
          [a, 0],
          [a, 1],
        ]);
      });

      it('reads the whole log in global order after a position (exclusive), up to a count', async () => {
        const a = stream();
        const b = stream();
        const start = await store.headPosition();
        await store.append(a, events(2), { expectedRevision: 'no_stream' });
        await store.append(b, events(2), { expectedRevision: 'no_stream' });
        await store.append(a, events(1), { expectedRevision: 1 });
        const all = (await store.readAll({ fromPosition: start })).filter((e) => e.streamId === a || e.streamId === b);
        expect(all.map((e) => `${e.streamId === a ? 'a' : 'b'}${e.revision}`)).toEqual(['a0', 'a1', 'b0', 'b1', 'a2']);
        const after = await store.readAll({ fromPosition: all[1]!.position, maxCount: 2 });
        expect(after.map((e) => e.position)).toEqual([all[2]!.position, all[3]!.position]);
        expect(await store.readAll({ fromPosition: all[4]!.position })).toEqual([]);
      });

      it('reads the whole log from the start by default', async () => {
        await store.append(stream(), events(2), { expectedRevision: 'no_stream' });
        const all = await store.readAll();
        expect(all.length).toBeGreaterThanOrEqual(2);
        expect(all.map((e) => e.position)).toEqual([...all.map((e) => e.position)].sort((x, y) => x - y));
        expect(all.at(-1)!.position).toBe(await store.headPosition());
      });

      it('the head position is the position of the last event appended', async () => {
        const result = await store.append(stream(), events(3), { expectedRevision: 'no_stream' });
        expect(await store.headPosition()).toBe(result.position);
        const next = await store.append(stream(), events(1), { expectedRevision: 'no_stream' });
        expect(await store.headPosition()).toBe(next.position);
      });
    });

    describe('hash chain', () => {
      it("each event's prevHash is the hash of the previous event in its stream, '' at revision 0", async () => {
        const a = stream();
        const b = stream();
        await store.append(a, events(2), { expectedRevision: 'no_stream' });
        await store.append(b, events(1), { expectedRevision: 'no_stream' });
        await store.append(a, events(2), { expectedRevision: 1 });
        const read = await store.readStream(a);
        expect(read[0]!.prevHash).toBe('');
        read.slice(1).forEach((event, i) => expect(event.prevHash).toBe(read[i]!.hash));
        expect((await store.readStream(b))[0]!.prevHash).toBe('');
      });

      it('each hash is chainHash over the stored fields, so it can be recomputed from a read event', async () => {
        const s = stream();
        await store.append(s, events(3), { expectedRevision: 'no_stream' });
        for (const event of await store.readStream(s)) {
          expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
          const recomputed = chainHash(
            s,
            event.revision,
            event,
            JSON.stringify(event.data),
            JSON.stringify(event.metadata),
            event.prevHash,
          );
          expect(recomputed).toBe(event.hash);
        }
      });

      it('readStored gives the stored JSON text the hash covers, for a stream by revision and for the log by position', async () => {
        const a = stream();
        const b = stream();
        await store.append(a, events(3), { expectedRevision: 'no_stream' });
        await store.append(b, events(2), { expectedRevision: 'no_stream' });
        const ofA = await store.readStored({ streamId: a, fromRevision: 1, maxCount: 5 });
        expect(revisions(ofA as unknown as RecordedEvent[])).toEqual([1, 2]);
        const recorded = await store.readStream(a);
        for (const event of ofA) {
          expect(JSON.parse(event.dataJson)).toEqual(recorded[event.revision]!.data);
          expect(chainHash(a, event.revision, event, event.dataJson, event.metadataJson, event.prevHash)).toBe(
            event.hash,
          );
        }
        const all = await store.readAll();
        const afterFirst = await store.readStored({ fromPosition: all[0]!.position, maxCount: 3 });
        expect(afterFirst.map((e) => e.position)).toEqual(all.slice(1, 4).map((e) => e.position));
        expect(await store.readStored({ streamId: stream() })).toEqual([]);
      });

      it('equal events in different places of the log get different hashes', async () => {
        const template = newEvent(1);
        const a = await store.append(stream(), [{ ...template, eventId: crypto.randomUUID() }], {
          expectedRevision: 'no_stream',
        });
        const b = await store.append(stream(), [{ ...template, eventId: crypto.randomUUID() }], {
          expectedRevision: 'no_stream',
        });
        expect(a.events[0]!.hash).not.toBe(b.events[0]!.hash);
      });
    });

    describe('subscribeToAll', () => {
      it('catches up in batches of at most batchSize, in order, then says it caught up at the last position', async () => {
        const s = stream();
        const start = await store.headPosition();
        await store.append(s, events(25), { expectedRevision: 'no_stream' });
        const r = recorder(s);
        const subscription = store.subscribeToAll({ fromPosition: start, batchSize: 10 }, r.handler);
        await until(() => r.caughtUp.length > 0, 'caught up');
        await subscription.close();
        expect(revisions(r.seen)).toEqual([...Array(25).keys()]);
        expect(Math.max(...r.batches.map((b) => b.length))).toBeLessThanOrEqual(10);
        expect(r.caughtUp).toEqual([r.batches.at(-1)!.at(-1)!.position]);
        expect(r.errors).toEqual([]);
      });

      it('delivers only the events strictly after fromPosition', async () => {
        const s = stream();
        const { events: stored } = await store.append(s, events(4), { expectedRevision: 'no_stream' });
        const r = recorder(s);
        const subscription = store.subscribeToAll({ fromPosition: stored[1]!.position }, r.handler);
        await until(() => r.caughtUp.length > 0, 'caught up');
        await subscription.close();
        expect(revisions(r.seen)).toEqual([2, 3]);
      });

      it('hands over at most 500 events per batch when no batch size is given', async () => {
        const s = stream();
        const start = await store.headPosition();
        await store.append(s, events(600), { expectedRevision: 'no_stream' });
        const r = recorder(s);
        const subscription = store.subscribeToAll({ fromPosition: start }, r.handler);
        await until(() => r.caughtUp.length > 0, 'caught up');
        await subscription.close();
        expect(r.seen).toHaveLength(600);
        expect(Math.max(...r.batches.map((b) => b.length))).toBeLessThanOrEqual(500);
      });

      it('waits for each onEvents to settle before handing over the next batch', async () => {
        const s = stream();
        const start = await store.headPosition();
        await store.append(s, events(12), { expectedRevision: 'no_stream' });
        let inFlight = 0;
        let mostInFlight = 0;
        let delivered = 0;
        const subscription = store.subscribeToAll(
          { fromPosition: start, batchSize: 3 },
          {
            onEvents: async (batch) => {
              mostInFlight = Math.max(mostInFlight, ++inFlight);
              await sleep(10);
              delivered += batch.filter((e) => e.streamId === s).length;
              inFlight--;
            },
          },
        );
        await until(() => delivered === 12, 'all delivered');
        await subscription.close();
        expect(mostInFlight).toBe(1);
      });

      it('says it caught up at the head when there is nothing to deliver', async () => {
        await store.append(stream(), events(2), { expectedRevision: 'no_stream' });
        const head = await store.headPosition();
        const r = recorder();
        const subscription = store.subscribeToAll({ fromPosition: head }, r.handler);
        await until(() => r.caughtUp.length > 0, 'caught up');
        await subscription.close();
        expect(r.caughtUp).toEqual([head]);
        expect(r.batches).toEqual([]);
      });

      it('follows live appends after catching up, and says it caught up again after delivering them', async () => {
        const s = stream();
        const start = await store.headPosition();
        const first = await store.append(s, events(2), { expectedRevision: 'no_stream' });
        const r = recorder(s);
        const subscription = store.subscribeToAll({ fromPosition: start }, r.handler);
        await until(() => r.caughtUp.length > 0, 'caught up');
        const live = await store.append(s, events(3, 2), { expectedRevision: 1 });
        await until(() => r.caughtUp.includes(live.position), 'caught up after the live append');
        await subscription.close();
        expect(revisions(r.seen)).toEqual([0, 1, 2, 3, 4]);
        expect(r.seen).toEqual([...first.events, ...live.events]);
      });

      it("delivers this store's own appends promptly, without waiting for a poll", async () => {
        const s = stream();
        const r = recorder(s);
        const subscription = store.subscribeToAll({ fromPosition: await store.headPosition() }, r.handler);
        await until(() => r.caughtUp.length > 0, 'caught up');
        // Not a wall-clock bound (a loaded machine misses any short one): the factories poll far less
        // often than `until` waits (SQLite every 600 s), so an arrival at all is one the append woke.
        await store.append(s, events(1), { expectedRevision: 'no_stream' });
        await until(() => r.seen.length === 1, 'the live event arrived');
        await subscription.close();
      });

      it('never delivers an event twice or skips one while appends race the handler', async () => {
        const a = stream();
        const b = stream();
        const start = await store.headPosition();
        const seen: RecordedEvent[] = [];
        const subscription = store.subscribeToAll(
          { fromPosition: start, batchSize: 3 },
          {
            onEvents: async (batch) => {
              seen.push(...batch);
              await sleep(1);
            },
          },
        );
        const appendMany = async (s: string) => {
          let expectedRevision: number | 'no_stream' = 'no_stream';
          for (let i = 0; i < 20; i++) {
            expectedRevision = (await store.append(s, events(2, i * 2), { expectedRevision })).nextExpectedRevision;
          }
        };
        await Promise.all([appendMany(a), appendMany(b)]);
        await until(() => seen.length >= 80, 'all 80 events arrived');
        await sleep(50);
        await subscription.close();
        const positions = seen.map((e) => e.position);
        expect(positions).toEqual([...positions].sort((x, y) => x - y));
        expect(new Set(positions).size).toBe(80);
        expect(revisions(seen.filter((e) => e.streamId === a))).toEqual([...Array(40).keys()]);
        expect(revisions(seen.filter((e) => e.streamId === b))).toEqual([...Array(40).keys()]);
      });

      it('stops and reports the error when onEvents throws, handing over no further batch', async () => {
        const start = await store.headPosition();
        await store.append(stream(), events(3), { expectedRevision: 'no_stream' });
        let calls = 0;
        const errors: unknown[] = [];
        const subscription = store.subscribeToAll(
          { fromPosition: start, batchSize: 1 },
          {
            onEvents: () => {
              calls++;
              throw new Error('projection bug');
            },
            onError: (error) => void errors.push(error),
          },
        );
        await until(() => errors.length > 0, 'the error was reported');
        await store.append(stream(), events(1), { expectedRevision: 'no_stream' });
        await sleep(100);
        await subscription.close();
        expect(calls).toBe(1);
        expect(errors).toHaveLength(1);
        expect((errors[0] as Error).message).toBe('projection bug');
      });

      it('stops and reports the error when onEvents rejects', async () => {
        const start = await store.headPosition();
        await store.append(stream(), events(2), { expectedRevision: 'no_stream' });
        let calls = 0;
        const errors: unknown[] = [];
        const subscription = store.subscribeToAll(
          { fromPosition: start, batchSize: 1 },
          {
            onEvents: async () => {
              calls++;
              await sleep(1);
              throw new Error('async projection bug');
            },
            onError: (error) => void errors.push(error),
          },
        );
        await until(() => errors.length > 0, 'the error was reported');
        await sleep(100);
        await subscription.close();
        expect(calls).toBe(1);
        expect((errors[0] as Error).message).toBe('async projection bug');
      });

      it('closing waits for the onEvents call in flight, and nothing is delivered after it', async () => {
        const start = await store.headPosition();
        await store.append(stream(), events(3), { expectedRevision: 'no_stream' });
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let calls = 0;
        let settled = 0;
        const subscription = store.subscribeToAll(
          { fromPosition: start, batchSize: 1 },
          {
            onEvents: async () => {
              calls++;
              await gate;
              settled++;
            },
          },
        );
        await until(() => calls === 1, 'the first batch is in flight');
        let closed = false;
        const closing = subscription.close().then(() => (closed = true));
        await sleep(50);
        expect(closed).toBe(false);
        release();
        await closing;
        expect(settled).toBe(1);
        await store.append(stream(), events(1), { expectedRevision: 'no_stream' });
        await sleep(100);
        expect(calls).toBe(1);
      });

      it('delivers nothing after it is closed', async () => {
        const r = recorder();
        const subscription = store.subscribeToAll({ fromPosition: await store.headPosition() }, r.handler);
        await subscription.close();
        await store.append(stream(), events(2), { expectedRevision: 'no_stream' });
        await sleep(100);
        expect(r.batches).toEqual([]);
      });

      it('several subscriptions each receive every event', async () => {
        const s = stream();
        const start = await store.headPosition();
        const one = recorder(s);
        const two = recorder(s);
        const first = store.subscribeToAll({ fromPosition: start, batchSize: 2 }, one.handler);
        const second = store.subscribeToAll({ fromPosition: start, batchSize: 5 }, two.handler);
        await store.append(s, events(7), { expectedRevision: 'no_stream' });
        await until(() => one.seen.length === 7 && two.seen.length === 7, 'both received all events');
        await Promise.all([first.close(), second.close()]);
        expect(revisions(one.seen)).toEqual(revisions(two.seen));
      });
    });

    describe('close', () => {
      it('closing the store waits for handlers in flight, ends its subscriptions, and can be repeated', async () => {
        const start = await store.headPosition();
        await store.append(stream(), events(2), { expectedRevision: 'no_stream' });
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let calls = 0;
        let settled = 0;
        store.subscribeToAll(
          { fromPosition: start, batchSize: 1 },
          {
            onEvents: async () => {
              calls++;
              await gate;
              settled++;
            },
          },
        );
        await until(() => calls === 1, 'the first batch is in flight');
        let closed = false;
        const closing = store.close().then(() => (closed = true));
        await sleep(50);
        expect(closed).toBe(false);
        release();
        await closing;
        expect(settled).toBe(1);
        await expect(store.close()).resolves.toBeUndefined();
        await sleep(50);
        expect(calls).toBe(1);
      });
    });
  });
}
