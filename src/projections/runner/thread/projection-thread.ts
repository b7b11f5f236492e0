// The projection thread (see ./threaded-projections.ts): opens its own
// connections to the embedded log and read side, and runs every projection
// there, off the service's event loop. Never imported; started as a worker.
import path from 'node:path';
import { Writable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { systemClock } from '../../../clock.js';
import { DurableBoundary } from '../../../events/store/sqlite/durable-boundary.js';
import { EMBEDDED_LOG_FILE, SqliteEventStore } from '../../../events/store/sqlite/sqlite-event-store.js';
import { loadMasterKey } from '../../../privacy/keys/master-key.js';
import { CommitCounter } from '../../../sqlite/commit-counter.js';
import { setSqliteCacheMb } from '../../../sqlite/open-database.js';
import { setCacheIdleSeconds } from '../../../idle-expiry.js';
import { ActorReferences } from '../../../privacy/actor-references.js';
import { PersonalDataCodec } from '../../../privacy/personal-data-codec.js';
import { RequesterSealer, RetentionPolicy } from '../../../privacy/retention.js';
import { openReadSide } from '../../../server/read-store-factory.js';
import { CATCH_UP_AFTER_READY, ledgerProjections } from '../../ledger-projections.js';
import { ProjectionRunner } from '../projection-runner.js';
import { LeaseClock } from '../lease-clock.js';
import type { FromThread, ThreadSetup, ToThread } from './messages.js';

if (!parentPort) throw new Error('projection-thread.ts runs as a worker thread');
const port = parentPort;
const setup = workerData as ThreadSetup;
const post = (message: FromThread) => port.postMessage(message);

// Log lines go to the service's logger, which owns the destination.
const logger = pino(
  {
    level: setup.logLevel,
    base: { service: 'privacy-ledger', thread: 'projections' },
    timestamp: pino.stdTimeFunctions.isoTime,
  },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      post({ type: 'log', line: chunk.toString('utf8') });
      done();
    },
  }),
);

async function main(): Promise<void> {
  setSqliteCacheMb(setup.sqliteCacheMb);
  setCacheIdleSeconds(setup.cacheIdleSeconds);
  const events = SqliteEventStore.open(path.join(setup.dataDir, EMBEDDED_LOG_FILE), {
    boundary: { role: 'follow', shared: new DurableBoundary(setup.boundary) },
    ...(setup.logMmapMb ? { mmapMb: setup.logMmapMb } : {}),
  });
  const leaseClock = setup.leaseClock ? new LeaseClock(setup.leaseClock) : systemClock;
  const masterKey = loadMasterKey({ dataDir: setup.dataDir, masterKeyBase64: setup.masterKey });
  // No key cache here: the thread only seals requesters (a key lookup per month and batch), and a key the
  // service thread destroys (retention) must not live on in this thread's memory, which its Forgetting does not reach.
  const readSide = await openReadSide(
    {
      dataDir: setup.dataDir,
      keyCacheEntries: 0,
      ...(setup.documentCacheMb ? { documentCacheMb: setup.documentCacheMb } : {}),
    },
    masterKey,
    systemClock,
    { commits: new CommitCounter(setup.readModelCommits), leaseClock },
  );
  let reported = '';
  // Nor opened values or key ids in the codec, for the same reason: the membership projection opens an account's
  // object id once, when the account is added (to index it), so a cache here saves nothing and would keep an
  // erased account's object id in clear in this thread's memory, where the service's erasure does not reach.
  const uncached = { openedValueEntries: 0, keyCacheEntries: 0 };
  const members = new ActorReferences(readSide.keys, new PersonalDataCodec(readSide.keys, uncached));
  const runner = new ProjectionRunner(
    events,
    readSide.reads,
    ledgerProjections(
      new RequesterSealer(
        readSide.keys,
        new RetentionPolicy(setup.retentionDays, {
          now: () => new Date(Date.now() + setup.clockOffsetMs),
        }),
      ),
      members,
    ),
    {
      logger,
      lease: {
        store: readSide.leases,
        holder: setup.leaseHolder,
        clock: leaseClock,
        ...(setup.leaseTtlMs ? { ttlMs: setup.leaseTtlMs } : {}),
      },
      afterReady: CATCH_UP_AFTER_READY,
      onProgress: (report) => {
        const same = JSON.stringify(report);
        if (same === reported) return;
        reported = same;
        post({ type: 'progress', report });
      },
    },
  );
  port.on('message', (message: ToThread) => {
    switch (message.type) {
      case 'status':
        void runner.status().then((rows) => post({ type: 'status', id: message.id, rows }));
        return;
      case 'rebuild':
        void runner.rebuild(message.name).then(
          () => post({ type: 'rebuilt', id: message.id }),
          (error: unknown) => post({ type: 'rebuilt', id: message.id, error: describe(error) }),
        );
        return;
      case 'stop':
        void (async () => {
          await runner.stop();
          await Promise.all([events.close(), readSide.close()]);
          post({ type: 'stopped' });
          port.close();
        })();
        return;
    }
  });
  await runner.start();
  post({ type: 'started' });
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
}

main().catch((error: unknown) => post({ type: 'failed', error: describe(error) }));
