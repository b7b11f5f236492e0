import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { publisherStream } from '../../src/events/publisher/publisher.events.js';
import { SqliteEventStore } from '../../src/events/store/sqlite/sqlite-event-store.js';
import { PUBLISHERS } from '../../src/projections/publisher/publisher.projection.js';
import { SqliteReadStore } from '../../src/projections/store/sqlite/sqlite-read-store.js';
import { embeddedFiles } from '../../src/server/ledger.js';
import { serveChild } from './child.js';
import { aPublisher, authHeader, postGraphql, PUBLISHER, REGISTER, startTestServer, tempDataDir } from './harness.js';

describe('a server killed with SIGKILL in the middle of a stream of appends', () => {
  it('loses no acknowledged event and leaves no projection half-applied', async () => {
    const data = tempDataDir('pl-crash-');
    try {
      const { child, url, exited } = await serveChild(data.dir);
      const auth = await authHeader(data.dir);
      const acknowledged: Array<{ id: string; position: number }> = [];
      let killed = false;
      const writer = async () => {
        while (!killed) {
          try {
            const res = await postGraphql<any>(url, REGISTER, { input: aPublisher() }, auth);
            const result = res.data?.registerPublisher;
            if (result) acknowledged.push({ id: result.publisher.id, position: Number(result.position) });
          } catch {
            return; // the connection died with the process
          }
        }
      };
      const writers = [writer(), writer(), writer(), writer()];
      while (acknowledged.length < 60) await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGKILL');
      killed = true;
      await exited;
      await Promise.all(writers);

      // Straight from the files, before anything replays: every acknowledged
      // event is in the log, and the read model matches its checkpoint exactly.
      const events = SqliteEventStore.open(path.join(data.dir, embeddedFiles.events));
      const reads = SqliteReadStore.open(path.join(data.dir, embeddedFiles.readModels));
      for (const { id } of acknowledged) {
        expect(await events.readStream(publisherStream(id)), id).toHaveLength(1);
      }
      const checkpoint = (await reads.getCheckpoint('publishers')) ?? 0;
      const registeredUpToCheckpoint = (await events.readAll({ maxCount: 1_000_000 })).filter(
        (e) => e.type === 'PublisherRegistered' && e.position <= checkpoint,
      ).length;
      expect(await reads.count(PUBLISHERS)).toBe(registeredUpToCheckpoint);
      await Promise.all([events.close(), reads.close()]);

      // And after a restart every acknowledged publisher can be read.
      const server = await startTestServer(data.dir);
      try {
        const highest = String(Math.max(...acknowledged.map((a) => a.position)));
        for (const { id } of acknowledged) {
          const res = await server.gql(PUBLISHER, { id, minPosition: highest });
          expect(res.data?.['publisher']?.id, id).toBe(id);
        }
      } finally {
        await server.close();
      }
    } finally {
      data.remove();
    }
  }, 60_000);
});
