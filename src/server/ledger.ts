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
import { SqliteKeyStore } from '../privacy/sqlite-key-store.js';
import type { Projection } from '../projections/projection.js';
import { ProjectionRunner } from '../projections/projection-runner.js';
import { publisherProjection } from '../projections/publisher/publisher.projection.js';
import { OfferService } from '../events/offer/offer.service.js';
import { offerProjection } from '../projections/offer/offer.projection.js';
import { OfferQueries } from '../projections/offer/offer.queries.js';
import { privacyRequestProjection } from '../projections/privacy-request/privacy-request.projection.js';
import { PrivacyRequestQueries } from '../projections/privacy-request/privacy-request.queries.js';
import { PrivacyRequestService } from '../events/privacy-request/privacy-request.service.js';
import { Membership } from '../auth/membership.js';
import { BlindIndex } from '../privacy/blind-index.js';
import { membershipProjection } from '../projections/membership/membership.projection.js';
import { MembershipQueries } from '../projections/membership/membership.queries.js';
import { PublisherQueries } from '../projections/publisher/publisher.queries.js';
import type { ReadStore } from '../projections/read-store.js';
import { SqliteReadStore } from '../projections/sqlite/sqlite-read-store.js';
import type { Services } from '../resolvers/context.js';
import type { Config } from './config.js';

/** Every projection the service maintains. */
export const projections: readonly Projection[] = [publisherProjection, offerProjection, privacyRequestProjection, membershipProjection];

/** The files of the embedded shape, inside the data directory. */
export const embeddedFiles = {
  events: 'events.sqlite',
  readModels: 'read-models.sqlite',
  keys: 'keys.sqlite',
} as const;

export interface Ledger {
  events: EventStore;
  reads: ReadStore;
  keys: KeyStore;
  runner: ProjectionRunner;
  services: Services;
  close(): Promise<void>;
}

export interface LedgerOptions {
  logger?: Logger;
  clock?: Clock;
  ids?: IdGenerator;
}

/**
 * The composition root of the embedded shape: opens the three SQLite files
 * in the data directory and wires codec, command handler, projections and
 * services. The HTTP server and the CLI both start from here.
 */
export function openLedger(
  config: Pick<Config, 'dataDir' | 'masterKey' | 'readYourWritesTimeoutMs'>,
  options: LedgerOptions = {},
): Ledger {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? uuidV7Ids;
  const file = (name: string) => path.join(config.dataDir, name);
  const masterKey = loadMasterKey({
    dataDir: config.dataDir,
    ...(config.masterKey ? { masterKeyBase64: config.masterKey } : {}),
  });
  const events = SqliteEventStore.open(file(embeddedFiles.events));
  const reads = SqliteReadStore.open(file(embeddedFiles.readModels));
  const keys = SqliteKeyStore.open(file(embeddedFiles.keys), masterKey);
  const personalData = new PersonalDataCodec(keys);
  const handler = new CommandHandler(events, new EventCodec(personalData, clock, ids));
  const runner = new ProjectionRunner(events, reads, projections, options.logger ? { logger: options.logger } : {});
  const privacyRequestQueries = new PrivacyRequestQueries(reads);
  const idempotency = new Idempotency(masterKey);
  const objectIds = new BlindIndex(masterKey, 'aad-object-id');
  const services: Services = {
    publishers: new PublisherService(handler, clock, ids, idempotency, objectIds),
    membership: new Membership(handler, privacyRequestQueries, new MembershipQueries(reads), objectIds),
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
    runner,
    services,
    async close() {
      await runner.stop();
      await Promise.all([events.close(), reads.close(), keys.close()]);
    },
  };
}
