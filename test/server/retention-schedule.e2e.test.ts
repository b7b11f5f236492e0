import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/server/config.js';
import { openLedger } from '../../src/server/ledger.js';
import { createLogger } from '../../src/server/logger.js';
import { scheduleRetention } from '../../src/server/retention-schedule.js';
import { startTestServer, tempDataDir } from './harness.js';
import { recordAnEdit } from './privacy-scenario.js';

const RECORDS = `query ($id: ID!, $p: String) {
  privacyRequests(publisherId: $id, minPosition: $p) { edges { node { requestedBy requestedByErased } } }
}`;

describe('retention in a serving process', () => {
  it('a server applies retention itself: at start, and again at each interval', async () => {
    const data = tempDataDir('pl-retention-');
    let now = '2026-01-15T09:00:00.000Z';
    const clock: Clock = { now: () => new Date(now) };
    const env = { RETENTION_DAYS: '30' };
    try {
      let server = await startTestServer(data.dir, env, { clock });
      const { id, position } = await recordAnEdit(server);
      await server.close();

      now = '2026-03-05T00:00:00.000Z';
      server = await startTestServer(data.dir, env, { clock });
      try {
        const read = await server.gql(RECORDS, { id, p: position });
        expect(read.data!['privacyRequests'].edges[0].node).toMatchObject({
          requestedBy: null,
          requestedByErased: true,
        });
        expect(
          server.logs.lines.some(
            (line) => line.includes('retention destroyed month keys') && line.includes('retention/2026-01'),
          ),
        ).toBe(true);
      } finally {
        await server.close();
      }

      // a long-running process: the schedule's next run destroys what expired since
      now = '2026-03-05T00:00:00.000Z';
      const ledger = await openLedger(loadConfig({ dataDir: data.dir }, env), { clock });
      const logs = { lines: [] as string[] };
      const logger = createLogger(
        'info',
        new Writable({ write: (chunk, _enc, done) => (logs.lines.push(String(chunk)), done()) }),
      );
      await ledger.keys.getOrCreate('client/2026-02');
      const schedule = scheduleRetention(ledger.retention, logger, 20);
      try {
        await schedule.first;
        expect(await ledger.keys.getMany(['client/2026-02'])).toHaveProperty('size', 1);
        now = '2026-04-05T00:00:00.000Z';
        await vi.waitFor(async () => expect(await ledger.keys.getMany(['client/2026-02'])).toHaveProperty('size', 0), {
          timeout: 5_000,
        });
      } finally {
        await schedule.stop();
        await ledger.close();
      }
    } finally {
      data.remove();
    }
  });
});
