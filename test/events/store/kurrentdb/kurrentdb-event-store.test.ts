import { describe, expect, it } from 'vitest';
import { KurrentDbEventStore } from '../../../../src/events/store/kurrentdb/kurrentdb-event-store.js';
import { eventStoreContract } from '../event-store.contract.js';

// The same contract as the embedded store, against a real KurrentDB server
// (KURRENTDB_URL=kurrentdb://admin:changeit@localhost:2113?tls=false for a
// local insecure node). The server's log is shared and never empty: every
// test stream is `test-<uuid>`, and the store's log is the `test-` streams.
const url = process.env['KURRENTDB_URL'];

if (url) {
  eventStoreContract(
    'KurrentDB',
    async () => {
      const store = KurrentDbEventStore.open(url, { streamPrefixes: ['test-'] });
      return { store, cleanup: () => store.close() };
    },
    { freshLogCountingFromOne: false, refusesEventIdsAlreadyInLog: false },
  );
} else {
  describe.skip('EventStore contract: KurrentDB (skipped: set KURRENTDB_URL to a KurrentDB server to run the event store contract against it)', () => {
    it('runs the event store contract against KurrentDB', () => {});
  });
}

// No server is needed for these: the real client against a port nothing
// listens on (connection refused at once) shows how the adapter fails.
describe('KurrentDB event store when the cluster cannot be reached', () => {
  const unreachable = 'kurrentdb://admin:changeit@127.0.0.1:1?tls=false&defaultDeadline=2000';
  const reconnects: Array<{ attempt: number; delayMs: number }> = [];
  const open = () => {
    reconnects.length = 0;
    return KurrentDbEventStore.open(unreachable, {
      streamPrefixes: ['test-'],
      reconnect: {
        initialDelayMs: 50,
        maxAttempts: 3,
        onReconnect: (attempt, delayMs) => void reconnects.push({ attempt, delayMs }),
      },
    });
  };
  const event = () => ({
    eventId: crypto.randomUUID(),
    type: 'TestEvent',
    schemaVersion: 1,
    occurredAt: '2026-11-22T10:00:00.000Z',
    data: {},
    metadata: { actor: { id: 'tester', kind: 'system' as const }, correlationId: 'c-1' },
  });

  it('an append and a read reject with the client error instead of hanging', async () => {
    const store = open();
    try {
      await expect(store.append('test-1', [event()], { expectedRevision: 'any' })).rejects.toMatchObject({
        type: 'unavailable',
      });
      await expect(store.headPosition()).rejects.toMatchObject({ type: 'unavailable' });
    } finally {
      await store.close();
    }
  });

  it('a subscription reconnects with growing waits, then ends and reports the failure once', async () => {
    const store = open();
    const errors: unknown[] = [];
    let delivered = 0;
    const started = Date.now();
    await new Promise<void>((resolve) => {
      store.subscribeToAll(
        { fromPosition: 0 },
        {
          onEvents: () => void delivered++,
          onCaughtUp: () => void delivered++,
          onError: (error) => {
            errors.push(error);
            resolve();
          },
        },
      );
    });
    const elapsed = Date.now() - started;
    await new Promise((r) => setTimeout(r, 200));
    await store.close();
    // three waits of 50, 100 and 200 ms, each jittered down to half at most
    expect(reconnects.map((r) => r.attempt)).toEqual([1, 2, 3]);
    reconnects.forEach(({ delayMs }, i) => {
      expect(delayMs).toBeGreaterThanOrEqual(25 * 2 ** i);
      expect(delayMs).toBeLessThanOrEqual(50 * 2 ** i);
    });
    expect(elapsed).toBeGreaterThanOrEqual(175);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ type: 'unavailable' });
    expect(delivered).toBe(0);
  });

  it('closing the store while a subscription waits to reconnect ends it quietly', async () => {
    const store = open();
    const errors: unknown[] = [];
    store.subscribeToAll({ fromPosition: 0 }, { onEvents: () => {}, onError: (error) => void errors.push(error) });
    await new Promise((r) => setTimeout(r, 60));
    await store.close();
    await new Promise((r) => setTimeout(r, 400));
    expect(errors).toEqual([]);
    await expect(store.append('test-1', [event()], { expectedRevision: 'any' })).rejects.toThrow('closed');
  });

  it('closing the store lets an append in flight settle first', async () => {
    const store = open();
    let settled = false;
    const appending = store.append('test-1', [event()], { expectedRevision: 'any' }).then(
      () => (settled = true),
      () => (settled = true),
    );
    await store.close();
    expect(settled).toBe(true);
    await appending;
  });

  it('a connection string the client cannot parse is refused without repeating what it holds', () => {
    expect(() =>
      KurrentDbEventStore.open('kurrentdb://admin:s3cret@node1:2113?tls=maybe', { streamPrefixes: ['test-'] }),
    ).toThrow(/connection string is not valid: Unexpected \(…\) at position \d+, expected true or false/);
    expect(() =>
      KurrentDbEventStore.open('kurrentdb://admin:s3cret@node1:2113?tls=maybe', { streamPrefixes: ['test-'] }),
    ).not.toThrow(/s3cret|maybe/);
  });
});
