import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConcurrencyError } from '../../src/errors.js';
import type { NewEvent, RecordedEvent } from '../../src/events/event-envelope.js';
import type { EventStore } from '../../src/events/event-store.js';
import { chainHash } from '../../src/events/hash-chain.js';

export type EventStoreFactory = () => Promise<{ store: EventStore; cleanup(): Promise<void> }>;

export const newEvent = (n = 0, overrides: Partial<NewEvent> = {}): NewEvent => ({
  eventId: crypto.randomUUID(),
  type: 'TestEvent',
  schemaVersion: 1,
  occurredAt: new Date(Date.UTC(2026, 10, 22, 10, 0, n)).toISOString(),
  data: { n, nested: { list: [1, 'two', null], text: '统一社会信用代码' } },
  metadata: { actor: { id: 'tester', kind: 'system' }, correlationId: 'c-1' },
  ...overrides,
});

const events = (count: number, from = 0) => Array.from({ length: count }, (_, i) => newEvent(from + i));
const until = async (condition: () => boolean, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** The behaviour every EventStore adapter must show. Adapter test files call this with a factory. */
export function eventStoreContract(adapterName: string, factory: EventStoreFactory): void {
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

    describe('append', () => {
      it('appends to a new stream from revision 0, with increasing positions', async () => {
        const s = stream();
        const result = await store.append(s, events(3), { expectedRevision: 'no_stream' });
        expect(result.nextExpectedRevision).toBe(2);
        expect(result.events.map((e) => e.revision)).toEqual([0, 1, 2]);
        const positions = result.events.map((e) => e.position);
        expect(positions[1]! - positions[0]!).toBeGreaterThan(0);
        expect(positions[2]! - positions[1]!).toBeGreaterThan(0);
        expect(result.position).toBe(positions[2]);
      });

      it('an exact expected revision appends after it', async () => {
        const s = stream();
        const first = await store.append(s, events(2), { expectedRevision: 'no_stream' });
        const second = await store.append(s, events(1), { expectedRevision: first.nextExpectedRevision });
        expect(second.events[0]!.revision).toBe(2);
      });

      it('appending with a stale revision is refused with a conflict and appends nothing', async () => {
        const s = stream();
        await store.append(s, events(2), { expectedRevision: 'no_stream' });
        const head = await store.headPosition();
        const attempt = store.append(s, events(3), { expectedRevision: 0 });
        await expect(attempt).rejects.toBeInstanceOf(ConcurrencyError);
        await expect(attempt).rejects.toMatchObject({ code: 'CONFLICT' });
        expect(await store.readStream(s)).toHaveLength(2);
        expect(await store.headPosition()).toBe(head);
      });

      it("'no_stream' is refused once the stream exists", async () => {
        const s = stream();
        await store.append(s, events(1), { expectedRevision: 'no_stream' });
        await expect(store.append(s, events(1), { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(ConcurrencyError);
      });

      it("'stream_exists' is refused for a stream that does not exist, and accepted once it does", async () => {
        const s = stream();
        await expect(store.append(s, events(1), { expectedRevision: 'stream_exists' })).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await store.readStream(s)).toEqual([]);
        await store.append(s, events(1), { expectedRevision: 'any' });
        await expect(store.append(s, events(1), { expectedRevision: 'stream_exists' })).resolves.toMatchObject({ nextExpectedRevision: 1 });
      });

      it("'any' appends whatever the stream's state", async () => {
        const s = stream();
        await store.append(s, events(1), { expectedRevision: 'any' });
        const result = await store.append(s, events(1), { expectedRevision: 'any' });
        expect(result.nextExpectedRevision).toBe(1);
      });

      it('an event id already in the log is refused and nothing of that append is written', async () => {
        const s = stream();
        const [first] = (await store.append(s, events(1), { expectedRevision: 'no_stream' })).events;
        const attempt = store.append(s, [newEvent(1), { ...newEvent(2), eventId: first!.eventId }], { expectedRevision: 0 });
        await expect(attempt).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await store.readStream(s)).toHaveLength(1);
      });

      it('appending no events changes nothing and reports where the stream is', async () => {
        const s = stream();
        const first = await store.append(s, events(2), { expectedRevision: 'no_stream' });
        const empty = await store.append(s, [], { expectedRevision: 1 });
        expect(empty).toEqual({ nextExpectedRevision: 1, position: first.position, events: [] });
        expect(await store.readStream(s)).toHaveLength(2);
      });

      it('concurrent appends expecting the same revision: exactly one wins', async () => {
        const s = stream();
        await store.append(s, events(1), { expectedRevision: 'no_stream' });
        const results = await Promise.allSettled(
          Array.from({ length: 5 }, () => store.append(s, events(1), { expectedRevision: 0 })),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(await store.readStream(s)).toHaveLength(2);
      });
    });

    describe('reading', () => {
      it('every field of an event round-trips exactly', async () => {
        const s = stream();
        const written = newEvent(7);
        await store.append(s, [written], { expectedRevision: 'no_stream' });
        const [read] = await store.readStream(s);
        expect(read).toMatchObject({ ...written, streamId: s, revision: 0 });
        expect(read!.data).toEqual(written.data);
        expect(read!.metadata).toEqual(written.metadata);
      });

      it('a stream that does not exist reads as no events', async () => {
        expect(await store.readStream(stream())).toEqual([]);
      });

      it('reads a stream forwards and backwards, from a revision, up to a count', async () => {
        const s = stream();
        await store.append(s, events(5), { expectedRevision: 'no_stream' });
        const revisions = (list: RecordedEvent[]) => list.map((e) => e.revision);
        expect(revisions(await store.readStream(s))).toEqual([0, 1, 2, 3, 4]);
        expect(revisions(await store.readStream(s, { fromRevision: 2, maxCount: 2 }))).toEqual([2, 3]);
        expect(revisions(await store.readStream(s, { direction: 'backwards' }))).toEqual([4, 3, 2, 1, 0]);
        expect(revisions(await store.readStream(s, { direction: 'backwards', fromRevision: 3, maxCount: 2 }))).toEqual([3, 2]);
      });

      it('reads the whole log in global order from a position, and knows its head', async () => {
        const a = stream();
        const b = stream();
        const start = await store.headPosition();
        await store.append(a, events(2), { expectedRevision: 'no_stream' });
        await store.append(b, events(2), { expectedRevision: 'no_stream' });
        await store.append(a, events(1), { expectedRevision: 1 });
        const all = (await store.readAll({ fromPosition: start })).filter((e) => e.streamId === a || e.streamId === b);
        expect(all.map((e) => `${e.streamId === a ? 'a' : 'b'}${e.revision}`)).toEqual(['a0', 'a1', 'b0', 'b1', 'a2']);
        expect(await store.headPosition()).toBe(all.at(-1)!.position);
        const after = await store.readAll({ fromPosition: all[1]!.position, maxCount: 2 });
        expect(after.map((e) => e.position)).toEqual([all[2]!.position, all[3]!.position]);
      });
    });

    describe('hash chain', () => {
      it("each event's hash chains to the previous event of its stream and can be recomputed", async () => {
        const s = stream();
        await store.append(s, events(2), { expectedRevision: 'no_stream' });
        await store.append(s, events(2), { expectedRevision: 1 });
        const read = await store.readStream(s);
        expect(read[0]!.prevHash).toBe('');
        read.forEach((event, i) => {
          if (i > 0) expect(event.prevHash).toBe(read[i - 1]!.hash);
          expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
          expect(chainHash(s, event.revision, event, JSON.stringify(event.data), JSON.stringify(event.metadata), event.prevHash)).toBe(event.hash);
        });
      });
    });

    describe('subscribeToAll', () => {
      it('catches up from a position in batches, says it caught up, then delivers live appends', async () => {
        const s = stream();
        const start = await store.headPosition();
        await store.append(s, events(25), { expectedRevision: 'no_stream' });
        const seen: RecordedEvent[] = [];
        const batchSizes: number[] = [];
        let caughtUp = -1;
        const subscription = store.subscribeToAll(
          { fromPosition: start, batchSize: 10 },
          {
            onEvents: (batch) => {
              batchSizes.push(batch.length);
              seen.push(...batch);
            },
            onCaughtUp: (position) => (caughtUp = position),
          },
        );
        await until(() => caughtUp >= start + 1 && seen.length >= 25);
        expect(Math.max(...batchSizes)).toBeLessThanOrEqual(10);
        expect(caughtUp).toBe(seen.at(-1)!.position);
        await store.append(s, events(3, 25), { expectedRevision: 24 });
        await until(() => seen.length === 28);
        await subscription.close();
        expect(seen.filter((e) => e.streamId === s).map((e) => e.revision)).toEqual([...Array(28).keys()]);
      });

      it('never delivers an event twice or skips one while appends race the handler', async () => {
        const s = stream();
        const start = await store.headPosition();
        const seen: number[] = [];
        const subscription = store.subscribeToAll(
          { fromPosition: start, batchSize: 3 },
          {
            onEvents: async (batch) => {
              seen.push(...batch.map((e) => e.revision));
              await new Promise((r) => setTimeout(r, 2));
            },
          },
        );
        let revision: number | 'no_stream' = 'no_stream';
        for (let i = 0; i < 20; i++) {
          revision = (await store.append(s, events(2, i * 2), { expectedRevision: revision })).nextExpectedRevision;
        }
        await until(() => seen.length >= 40);
        await new Promise((r) => setTimeout(r, 50));
        await subscription.close();
        expect(seen).toEqual([...Array(40).keys()]);
      });

      it('stops and reports the error when the handler fails', async () => {
        const start = await store.headPosition();
        await store.append(stream(), events(3), { expectedRevision: 'no_stream' });
        let calls = 0;
        let reported: unknown;
        const subscription = store.subscribeToAll(
          { fromPosition: start, batchSize: 1 },
          {
            onEvents: () => {
              calls++;
              throw new Error('projection bug');
            },
            onError: (error) => (reported = error),
          },
        );
        await until(() => reported !== undefined);
        await store.append(stream(), events(1), { expectedRevision: 'no_stream' });
        await new Promise((r) => setTimeout(r, 100));
        await subscription.close();
        expect(calls).toBe(1);
        expect((reported as Error).message).toBe('projection bug');
      });

      it('delivers nothing after it is closed', async () => {
        const start = await store.headPosition();
        const seen: RecordedEvent[] = [];
        const subscription = store.subscribeToAll({ fromPosition: start }, { onEvents: (batch) => void seen.push(...batch) });
        await subscription.close();
        await store.append(stream(), events(2), { expectedRevision: 'no_stream' });
        await new Promise((r) => setTimeout(r, 100));
        expect(seen).toEqual([]);
      });
    });
  });
}
