import { hostname } from 'node:os';
import { systemClock, uuidV7Ids } from '../clock.js';
import { secureDataDir } from '../data-dir-permissions.js';
import { CommandHandler } from '../events/command-handler.js';
import { AggregateCache } from '../events/aggregate-cache.js';
import { EventCodec } from '../events/store/event-codec.js';
import type { EventStore } from '../events/store/event-store.js';
import { upcasters } from '../events/store/upcasters.js';
import { EMBEDDED_LOG_FILE } from '../events/store/sqlite/sqlite-event-store.js';
import { setSqliteCacheMb, sqliteCacheMb, SQLITE_CACHE_MB, SQLITE_READ_CACHE_MB } from '../sqlite/open-database.js';
import { cacheIdleSeconds, setCacheIdleSeconds } from '../idle-expiry.js';
import { ActorReferences, type MemberAccounts } from '../privacy/actor-references.js';
import { loadMasterKey } from '../privacy/keys/master-key.js';
import { PersonalDataCodec } from '../privacy/personal-data-codec.js';
import type { KeyRef, KeyStore } from '../privacy/keys/key-store.js';
import { finishInterruptedErasures } from '../events/erasure/interrupted-erasures.js';
import { ForgottenGrantees } from '../events/access-grant/forgotten-grantees.js';
import { AccountActors } from '../privacy/account-actors.js';
import type { LeaseStore } from '../projections/store/lease.js';
import { ProjectionRunner } from '../projections/runner/projection-runner.js';
import type { ProjectionHost } from '../projections/runner/projection-host.js';
import { ThreadedProjections } from '../projections/runner/thread/threaded-projections.js';
import { CATCH_UP_AFTER_READY, collectionOwners, ledgerProjections } from '../projections/ledger-projections.js';
import { CaughtUpReadStore } from '../projections/runner/caught-up-read-store.js';
import { RequesterSealer, Retention, RetentionPolicy } from '../privacy/retention.js';
import { type Membership } from '../auth/membership.js';
import { ledgerSecret, retireLedgerSecrets } from '../privacy/keys/ledger-secrets.js';
import type { ReadStore } from '../projections/store/read-store.js';
import type { Services } from '../resolvers/context.js';
import type { LedgerConfig, LedgerOptions } from './ledger-options.js';
import { SETTINGS } from './settings.js';
import { openEventStore } from './event-store-factory.js';
import { openReadSide, readSideFiles } from './read-store-factory.js';
import { createServices } from './services.js';

/** The files of the embedded shape, inside the data directory. */
export const embeddedFiles = {
  events: EMBEDDED_LOG_FILE,
  ...readSideFiles,
} as const;

export interface Ledger<Runner extends ProjectionHost = ProjectionHost> {
  events: EventStore;
  /** destroys the month buckets past the retention period (`privacy-ledger retention`) */
  retention: Retention;
  reads: ReadStore;
  keys: KeyStore;
  /** the projection leases (who runs which projection) */
  leases: LeaseStore;
  /** destroys the keys of erasures the log records but a crash kept from finishing (call before serving: see src/events/erasure/interrupted-erasures.ts) */
  finishInterruptedErasures(): Promise<KeyRef[]>;
  /** runs the projections: here, or on a thread of their own (`projectionThread`) */
  runner: Runner;
  services: Services;
  close(): Promise<void>;
}

/** A name for this process in the projection leases. */
export const processHolder = (role: string): string => `${role}:${hostname()}:${process.pid}`;

/**
 * The composition root: opens the event store (SQLite in the data
 * directory), the read side (SQLite files, or MongoDB with `mongodbUrl`)
 * and wires codec, command handler, projections (holding their leases) and
 * services. The HTTP server and the CLI both start from here.
 */
export async function openLedger(
  config: LedgerConfig,
  options?: LedgerOptions & { projectionThread?: false },
): Promise<Ledger<ProjectionRunner>>;
export async function openLedger(config: LedgerConfig, options: LedgerOptions): Promise<Ledger>;
export async function openLedger(config: LedgerConfig, options: LedgerOptions = {}): Promise<Ledger> {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? uuidV7Ids;
  const tightened = secureDataDir(config.dataDir);
  if (tightened.directories + tightened.files > 0) {
    const line = 'tightened the data directory to owner-only access (directories 0700, files 0600)';
    if (options.logger) options.logger.warn(tightened, line);
    else
      process.stderr.write(`privacy-ledger: ${line}: ${tightened.directories} directories, ${tightened.files} files\n`);
  }
  const masterKey = loadMasterKey({
    dataDir: config.dataDir,
    ...(config.masterKey ? { masterKeyBase64: config.masterKey } : {}),
  });
  const retentionDays = config.retentionDays ?? Number(SETTINGS.retentionDays.default);
  // every cache this thread makes from now on gets this idle expiry
  if (config.cacheIdleSeconds !== undefined) setCacheIdleSeconds(config.cacheIdleSeconds);
  const leaseHolder = options.leaseHolder ?? processHolder('ledger');
  const threaded =
    // An injected clock (tests) is this thread's; the projection thread would run on the system's.
    options.projectionThread &&
    (!options.clock || options.threadDespiteClock) &&
    !config.kurrentdbUrl &&
    !config.mongodbUrl;
  // The threads this one starts (log writer, projections) get this page cache for their connections; this thread's
  // own get the smaller read budget when those threads do the writing, and the whole budget when it writes itself.
  const pageCacheMb = config.sqliteCacheMb ?? SQLITE_CACHE_MB;
  setSqliteCacheMb(pageCacheMb, threaded ? (config.sqliteReadCacheMb ?? SQLITE_READ_CACHE_MB) : pageCacheMb);
  const thread = threaded
    ? new ThreadedProjections(
        {
          dataDir: config.dataDir,
          masterKey: masterKey.toString('base64'),
          retentionDays,
          clockOffsetMs: clock.now().getTime() - Date.now(),
          leaseHolder,
          ...(options.leaseClock ? { leaseClock: options.leaseClock.buffer } : {}),
          logLevel: options.logLevel ?? 'info',
          ...(config.leaseTtlMs ? { leaseTtlMs: config.leaseTtlMs } : {}),
          ...(config.documentCacheMb ? { documentCacheMb: config.documentCacheMb } : {}),
          ...(config.logMmapMb ? { logMmapMb: config.logMmapMb } : {}),
          sqliteCacheMb: sqliteCacheMb(),
          cacheIdleSeconds: cacheIdleSeconds(),
        },
        options.logger,
        config.projectionYoungGenerationMb,
      )
    : undefined;
  const readSide = await openReadSide(config, masterKey, clock, {
    ...(thread ? { commits: thread.readModelCommits } : {}),
    ...(options.leaseClock ? { leaseClock: options.leaseClock } : {}),
  });
  const { reads, keys } = readSide;
  let events: EventStore;
  let idempotencySecret: Buffer;
  try {
    idempotencySecret = await ledgerSecret(keys, masterKey, 'idempotency');
    await retireLedgerSecrets(keys);
    // The server appends concurrently: its commits and fsyncs run on a thread of their own (see SqliteEventStoreOptions.writeOn).
    const mapped = config.logMmapMb ? { mmapMb: config.logMmapMb } : {};
    events = openEventStore(
      config,
      options.logger,
      thread ? { boundary: { role: 'publish', shared: thread.boundary }, writeOn: 'thread', ...mapped } : mapped,
    );
  } catch (error) {
    await readSide.close();
    throw error;
  }
  const personalData = new PersonalDataCodec(keys, {
    openedValueEntries: config.openedValueCacheEntries,
    keyCacheEntries: config.keyCacheEntries,
  });
  // members act as their accounts, found in the publishers' streams (Membership, made with the services below: the handler needs the codec first)
  let membership: Membership | undefined;
  const accounts: MemberAccounts = {
    accountOf: (objectId, publisherId) => membership!.accountOf(objectId, publisherId),
  };
  const actors = new ActorReferences(keys, personalData, accounts);
  const codec = new EventCodec(personalData, clock, ids, upcasters, actors);
  const handler = new CommandHandler(events, codec, new AggregateCache(config.aggregateCacheEntries));
  const retentionPolicy = new RetentionPolicy(retentionDays, clock);
  const runner =
    thread ??
    new ProjectionRunner(events, reads, ledgerProjections(new RequesterSealer(keys, retentionPolicy), actors), {
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.projectionBatchSize ? { batchSize: options.projectionBatchSize } : {}),
      afterReady: CATCH_UP_AFTER_READY,
      lease: {
        store: readSide.leases,
        holder: leaseHolder,
        clock: options.leaseClock ?? clock,
        ...(config.leaseTtlMs ? { ttlMs: config.leaseTtlMs } : {}),
      },
    });
  const accountActors = new AccountActors(events, codec, actors, new ForgottenGrantees(events, handler, clock));
  const services = createServices({
    config,
    clock,
    ids,
    events,
    // a model still catching up after start answers no read before it has caught up (bounded)
    reads: new CaughtUpReadStore(reads, {
      host: runner,
      head: () => events.headPosition(),
      owners: collectionOwners,
      timeoutMs: config.readYourWritesTimeoutMs,
    }),
    keys,
    personalData,
    actors,
    codec,
    handler,
    accountActors,
    idempotencySecret,
    // those still catching up are waited for by the reads that need them
    waitForPosition: (position) => runner.waitForServed(position, config.readYourWritesTimeoutMs),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  membership = services.membership;
  return {
    events,
    retention: new Retention(keys, events, retentionPolicy),
    finishInterruptedErasures: () => finishInterruptedErasures(events, reads, keys, accountActors),
    reads,
    keys,
    leases: readSide.leases,
    runner,
    services,
    async close() {
      await services.readRecorder.drain();
      await runner.stop();
      await Promise.all([events.close(), readSide.close()]);
    },
  };
}
