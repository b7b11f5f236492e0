import { describe, it } from 'vitest';
import { KurrentDbEventStore } from '../../src/events/kurrentdb/kurrentdb-event-store.js';
import { eventStoreContract } from './event-store.contract.js';

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
