import { hostname } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { systemClock, uuidV7Ids, type Clock, type IdGenerator } from '../clock.js';
import { CommandHandler } from '../events/command-handler.js';
import { EventCodec } from '../events/event-codec.js';
import { Idempotency } from '../events/idempotency.js';
import type { EventStore } from '../events/event-store.js';
import { PublisherService } from '../events/publisher/publisher.service.js';
import { SqliteEventStore } from '../events/sqlite/sqlite-event-store.js';
import { loadMasterKey } from '../privacy/master-key.js';
import { PersonalDataCodec } from '../privacy/personal-data-codec.js';
import type { KeyStore } from '../privacy/key-store.js';
import type { LeaseStore } from '../projections/lease.js';
import type { Projection } from '../projections/projection.js';
import { ProjectionRunner } from '../projections/projection-runner.js';
import { publisherProjection } from '../projections/publisher/publisher.projection.js';
import { OfferService } from '../events/offer/offer.service.js';
import { offerProjection } from '../projections/offer/offer.projection.js';
import { OfferQueries } from '../projections/offer/offer.queries.js';
import { privacyRequestProjection } from '../projections/privacy-request/privacy-request.projection.js';
import { PrivacyRequestQueries } from '../projections/privacy-request/privacy-request.queries.js';
import { PrivacyRequestService } from '../events/privacy-request/privacy-request.service.js';
import { PublisherQueries } from '../projections/publisher/publisher.queries.js';
import type { ReadStore } from '../projections/read-store.js';
import type { Services } from '../resolvers/context.js';
import type { Config } from './config.js';
import { openReadSide, readSideFiles } from './read-store-factory.js';

/** Every projection the service maintains. */
export const projections: readonly Projection[] = [publisherProjection, offerProjection, privacyRequestProjection];

/** The files of the embedded shape, inside the data directory. */
export const embeddedFiles = {
  events: 'events.sqlite',
  ...readSideFiles,
} as const;

export interface Ledger {
  events: EventStore;
  reads: ReadStore;
  keys: KeyStore;
  /** the projection leases (who runs which projection) */
  leases: LeaseStore;
  runner: ProjectionRunner;
  services: Services;
  close(): Promise<void>;
}

export interface LedgerOptions {
  logger?: Logger;
  clock?: Clock;
  ids?: IdGenerator;
  /**
   * This process's name in the projection leases (default: host and pid).
   * A process that is the only one of its kind on a data directory (serve,
   * under its lock) may use a fixed name, so that after a crash it takes
   * its leases back at once instead of waiting for them to expire.
   */
  leaseHolder?: string;
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
  config: Pick<Config, 'dataDir' | 'masterKey' | 'readYourWritesTimeoutMs'> & Partial<Pick<Config, 'mongodbUrl' | 'mongodbDatabase' | 'mongodbKeysUrl' | 'leaseTtlMs'>>,
  options: LedgerOptions = {},
): Promise<Ledger> {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? uuidV7Ids;
  const file = (name: string) => path.join(config.dataDir, name);
  const masterKey = loadMasterKey({
    dataDir: config.dataDir,
    ...(config.masterKey ? { masterKeyBase64: config.masterKey } : {}),
  });
  const readSide = await openReadSide(config, masterKey, clock);
  const { reads, keys } = readSide;
  let events: EventStore;
  try {
    events = SqliteEventStore.open(file(embeddedFiles.events));
  } catch (error) {
    await readSide.close();
    throw error;
  }
  const personalData = new PersonalDataCodec(keys);
  const handler = new CommandHandler(events, new EventCodec(personalData, clock, ids));
  const runner = new ProjectionRunner(events, reads, projections, {
    ...(options.logger ? { logger: options.logger } : {}),
    lease: { store: readSide.leases, holder: options.leaseHolder ?? processHolder('ledger'), clock, ...(config.leaseTtlMs ? { ttlMs: config.leaseTtlMs } : {}) },
  });
  const privacyRequestQueries = new PrivacyRequestQueries(reads);
  const idempotency = new Idempotency(masterKey);
  const services: Services = {
    publishers: new PublisherService(handler, clock, ids, idempotency),
    offers: new OfferService(handler, clock, ids, idempotency),
    offerQueries: new OfferQueries(reads, personalData),
    privacyRequests: new PrivacyRequestService(handler, privacyRequestQueries, clock),
    privacyRequestQueries,
    publisherQueries: new PublisherQueries(reads, personalData),
    waitForPosition: (position) => runner.waitFor(position, config.readYourWritesTimeoutMs),
  };
  return {
    events,
    reads,
    keys,
    leases: readSide.leases,
    runner,
    services,
    async close() {
      await runner.stop();
      await Promise.all([events.close(), readSide.close()]);
    },
  };
}
