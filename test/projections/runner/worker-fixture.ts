import path from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../../../src/clock.js';
import { SqliteEventStore } from '../../../src/events/store/sqlite/sqlite-event-store.js';
import type { Projection } from '../../../src/projections/projection.js';
import { ProjectionRunner } from '../../../src/projections/runner/projection-runner.js';
import { SqliteLeaseStore } from '../../../src/projections/store/sqlite/sqlite-lease-store.js';
import { SqliteReadStore } from '../../../src/projections/store/sqlite/sqlite-read-store.js';

export type SqliteWorker = ReturnType<typeof sqliteWorker>;

/**
 * One projection worker on an embedded data directory, as a separate
 * process would have it: its own connections to the event, read-model and
 * lease files, a runner holding leases as `holder`, and short timings.
 */
export function sqliteWorker(
  dir: string,
  projection: Projection,
  holder: string,
  timing: { ttlMs: number; batchSize: number; clock?: Clock; logger?: Logger },
) {
  const events = SqliteEventStore.open(path.join(dir, 'events.sqlite'), { pollIntervalMs: 10 });
  const reads = SqliteReadStore.open(path.join(dir, 'read-models.sqlite'));
  const leases = SqliteLeaseStore.open(path.join(dir, 'read-models.sqlite'), timing.clock);
  const runner = new ProjectionRunner(events, reads, [projection], {
    batchSize: timing.batchSize,
    retryDelayMs: 20,
    ...(timing.logger ? { logger: timing.logger } : {}),
    lease: {
      store: leases,
      holder,
      ttlMs: timing.ttlMs,
      standbyPollMs: 20,
      ...(timing.clock ? { clock: timing.clock } : {}),
    },
  });
  return {
    events,
    reads,
    leases,
    runner,
    async close() {
      await runner.stop();
      await Promise.all([events.close(), reads.close(), leases.close()]);
    },
  };
}
