import { describe, expect, it } from 'vitest';
import { kurrent } from '../../../../src/events/store/kurrentdb/kurrentdb-client.js';
import { KurrentDbEventStore } from '../../../../src/events/store/kurrentdb/kurrentdb-event-store.js';
import { newEvent } from '../event-store.contract.js';

// Against a real KurrentDB server only (KURRENTDB_URL); none runs on the development machines.
const url = process.env['KURRENTDB_URL'];

describe.skipIf(!url)(
  `KurrentDB append positions${url ? '' : ' (skipped: set KURRENTDB_URL to a KurrentDB server to run it)'}`,
  () => {
    const open = () => KurrentDbEventStore.open(url!, { streamPrefixes: ['test-'] });

    it("an append's position is its last event's position in the log, each event's is its own", async () => {
      const store = open();
      try {
        const streamId = `test-${crypto.randomUUID()}`;
        const result = await store.append(streamId, [newEvent(1), newEvent(2), newEvent(3)], {
          expectedRevision: 'no_stream',
        });
        const read = await store.readStream(streamId);
        expect(result.events.map((e) => e.position)).toEqual(read.map((e) => e.position));
        expect(result.position).toBe(read.at(-1)!.position);
      } finally {
        await store.close();
      }
    });

    it('an append survives a failed read of its positions: the events are committed, and it says so', async () => {
      const store = open();
      try {
        const streamId = `test-${crypto.randomUUID()}`;
        // The read of the written revisions meets an election (as after a leader change).
        const failing = store as unknown as { readRevisions: () => Promise<never> };
        failing.readRevisions = () => Promise.reject(new (kurrent().UnavailableError)(undefined, 'election'));
        const result = await store.append(streamId, [newEvent(1), newEvent(2)], { expectedRevision: 'no_stream' });
        const read = await store.readStream(streamId);
        expect(read.map((e) => e.eventId)).toEqual(result.events.map((e) => e.eventId));
        expect(result.position).toBe(read.at(-1)!.position);
      } finally {
        await store.close();
      }
    });
  },
);
