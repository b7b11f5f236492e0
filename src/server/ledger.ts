import path from 'node:path';
import type { Logger } from 'pino';
import { systemClock, uuidV7Ids, type Clock, type IdGenerator } from '../clock.js';
import { HistoryExport } from '../audit/export.js';
import { History } from '../audit/history.js';
import { PointInTime } from '../audit/point-in-time.js';
import { StreamStates } from '../audit/stream-states.js';
import { CommandHandler } from '../events/command-handler.js';
import { EventCodec } from '../events/event-codec.js';
import { Idempotency } from '../events/idempotency.js';
import type { EventStore } from '../events/event-store.js';
import { PublisherService } from '../events/publisher/publisher.service.js';
import { upcasters } from '../events/upcasters.js';
import { loadMasterKey } from '../privacy/master-key.js';
import { PersonalDataCodec } from '../privacy/personal-data-codec.js';
import type { KeyStore } from '../privacy/key-store.js';
import { SqliteKeyStore } from '../privacy/sqlite-key-store.js';
import type { Projection } from '../projections/projection.js';
import { ProjectionRunner } from '../projections/projection-runner.js';
import { publisherProjection } from '../projections/publisher/publisher.projection.js';
import { OfferService } from '../events/offer/offer.service.js';
import { offerProjection } from '../projections/offer/offer.projection.js';
import { offerDirectoryProjection } from '../projections/offer-directory/offer-directory.projection.js';
import { OfferDirectoryQueries } from '../projections/offer-directory/offer-directory.queries.js';
import { OfferQueries } from '../projections/offer/offer.queries.js';
import { analyticsProjection } from '../projections/analytics/analytics.projection.js';
import { AnalyticsQueries } from '../projections/analytics/analytics.queries.js';
import { MaskedPublisherQueries } from '../projections/masked/masked-publisher.queries.js';
import { privacyRequestProjection, type RequesterSealing } from '../projections/privacy-request/privacy-request.projection.js';
import { RequesterSealer, Retention, RetentionPolicy } from '../privacy/retention.js';
import { PrivacyRequestQueries } from '../projections/privacy-request/privacy-request.queries.js';
import { PrivacyRequestService } from '../events/privacy-request/privacy-request.service.js';
import { ReadRecorder } from '../events/privacy-request/read-recorder.js';
import { PublisherQueries } from '../projections/publisher/publisher.queries.js';
import type { ReadStore } from '../projections/read-store.js';
import { SqliteReadStore } from '../projections/sqlite/sqlite-read-store.js';
import type { Services } from '../resolvers/context.js';
import { SETTINGS, type Config } from './config.js';
import { openEventStore } from './event-store-factory.js';

/** Every projection the service maintains. */
export function ledgerProjections(requesters: RequesterSealing): readonly Projection[] {
  return [publisherProjection, offerProjection, privacyRequestProjection(requesters), offerDirectoryProjection, analyticsProjection];
}

/** The files of the embedded shape, inside the data directory. */
export const embeddedFiles = {
  events: 'events.sqlite',
  readModels: 'read-models.sqlite',
  keys: 'keys.sqlite',
} as const;

export interface Ledger {
  events: EventStore;
  /** destroys the month buckets past the retention period (`privacy-ledger retention`) */
  retention: Retention;
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
  config: Pick<Config, 'dataDir' | 'masterKey' | 'readYourWritesTimeoutMs' | 'kurrentdbUrl'> & Partial<Pick<Config, 'retentionDays'>>,
  options: LedgerOptions = {},
): Ledger {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? uuidV7Ids;
  const file = (name: string) => path.join(config.dataDir, name);
  const masterKey = loadMasterKey({
    dataDir: config.dataDir,
    ...(config.masterKey ? { masterKeyBase64: config.masterKey } : {}),
  });
  const events = openEventStore(config, options.logger);
  const reads = SqliteReadStore.open(file(embeddedFiles.readModels));
  const keys = SqliteKeyStore.open(file(embeddedFiles.keys), masterKey);
  const personalData = new PersonalDataCodec(keys);
  const handler = new CommandHandler(events, new EventCodec(personalData, clock, ids, upcasters));
  const retentionPolicy = new RetentionPolicy(config.retentionDays ?? Number(SETTINGS.retentionDays.default), clock);
  const projections = ledgerProjections(new RequesterSealer(keys, retentionPolicy));
  const runner = new ProjectionRunner(events, reads, projections, options.logger ? { logger: options.logger } : {});
  const privacyRequestQueries = new PrivacyRequestQueries(reads, personalData);
  const idempotency = new Idempotency(masterKey);
  const states = new StreamStates(events, upcasters);
  const history = new History(events, personalData, states, upcasters);
  const publisherQueries = new PublisherQueries(reads, personalData);
  const offerQueries = new OfferQueries(reads, personalData);
  const services: Services = {
    publishers: new PublisherService(handler, clock, ids, idempotency),
    offers: new OfferService(handler, clock, ids, idempotency),
    offerQueries,
    privacyRequests: new PrivacyRequestService(handler, privacyRequestQueries, clock, idempotency),
    privacyRequestQueries,
    readRecorder: new ReadRecorder(handler, clock, options.logger ? { logger: options.logger } : {}),
    publisherQueries,
    analytics: new AnalyticsQueries(reads),
    maskedPublishers: new MaskedPublisherQueries(publisherQueries, offerQueries, keys),
    history,
    pointInTime: new PointInTime(states, personalData),
    historyExport: new HistoryExport(history, new OfferDirectoryQueries(reads, events)),
    waitForPosition: (position) => runner.waitFor(position, config.readYourWritesTimeoutMs),
  };
  return {
    events,
    retention: new Retention(keys, events, retentionPolicy, (subjectId) => personalData.forget(subjectId)),
    reads,
    keys,
    runner,
    services,
    async close() {
      await services.readRecorder.drain();
      await runner.stop();
      await Promise.all([events.close(), reads.close(), keys.close()]);
    },
  };
}
