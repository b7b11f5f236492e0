import type { Logger } from 'pino';
import { Membership } from '../auth/membership.js';
import type { Clock, IdGenerator } from '../clock.js';
import { AccessGrantService } from '../events/access-grant/access-grant.service.js';
import type { CommandHandler } from '../events/command-handler.js';
import { ContactListService } from '../events/contact-list/contact-list.service.js';
import { disclosuresToTell } from '../events/disclosure/disclosure-log.js';
import { DisclosureService } from '../events/disclosure/disclosure.service.js';
import { ErasureService } from '../events/erasure/erasure.service.js';
import { Idempotency } from '../events/idempotency.js';
import { OfferService } from '../events/offer/offer.service.js';
import { PrivacyRequestService } from '../events/privacy-request/privacy-request.service.js';
import { ReadRecorder } from '../events/privacy-request/read-recorder.js';
import { PublisherService } from '../events/publisher/publisher.service.js';
import { RegistrationCodeService } from '../events/registration-code/registration-code.service.js';
import type { EventCodec } from '../events/store/event-codec.js';
import type { EventStore } from '../events/store/event-store.js';
import { IntegrityVerifier } from '../events/store/integrity.js';
import { upcasters } from '../events/store/upcasters.js';
import { HistoryExport } from '../history/export.js';
import { History } from '../history/history.js';
import { PersonalDataExport } from '../history/personal-data-export.js';
import { PointInTime } from '../history/point-in-time.js';
import { StreamStates } from '../history/stream-states.js';
import type { AccountActors } from '../privacy/account-actors.js';
import type { ActorReferences } from '../privacy/actor-references.js';
import type { KeyStore } from '../privacy/keys/key-store.js';
import type { PersonalDataCodec } from '../privacy/personal-data-codec.js';
import { AccessGrantQueries } from '../projections/access-grant/access-grant.queries.js';
import { AnalyticsQueries } from '../projections/analytics/analytics.queries.js';
import { AuditQueries } from '../projections/audit-trail/audit-trail.queries.js';
import { DisclosureQueries } from '../projections/disclosure/disclosure.queries.js';
import { MaskedPublisherQueries } from '../projections/masked/masked-publisher.queries.js';
import { MembershipQueries } from '../projections/membership/membership.queries.js';
import { OfferDirectoryQueries } from '../projections/offer-directory/offer-directory.queries.js';
import { OfferQueries } from '../projections/offer/offer.queries.js';
import { PrivacyRequestQueries } from '../projections/privacy-request/privacy-request.queries.js';
import { PublisherQueries } from '../projections/publisher/publisher.queries.js';
import type { ReadStore } from '../projections/store/read-store.js';
import type { Services } from '../resolvers/context.js';
import type { Config } from './config.js';
import { SETTINGS } from './settings.js';

/** What the application services are made of: the stores, the codec and the command handler openLedger wired. */
export interface ServiceParts {
  config: Partial<
    Pick<Config, 'snapshotCacheEntries' | 'accessGrantMaxMinutes' | 'accessGrantApproval' | 'emergencyAccessMaxMinutes'>
  >;
  clock: Clock;
  ids: IdGenerator;
  events: EventStore;
  reads: ReadStore;
  keys: KeyStore;
  personalData: PersonalDataCodec;
  actors: ActorReferences;
  codec: EventCodec;
  handler: CommandHandler;
  /** the erased accounts' people, forgotten (their grants revoked) by erasures and by the start that finishes them */
  accountActors: AccountActors;
  /** the ledger secret non-personal idempotency fingerprints are keyed by */
  idempotencySecret: Buffer;
  /** read-your-writes: resolves once every projection has applied the position */
  waitForPosition: (position: number) => Promise<void>;
  logger?: Logger;
}

/** The application services and read queries resolvers use (never a store). */
export function createServices(parts: ServiceParts): Services {
  const {
    config,
    clock,
    ids,
    events,
    reads,
    keys,
    personalData,
    actors,
    codec,
    handler,
    idempotencySecret,
    waitForPosition,
    logger,
  } = parts;
  const privacyRequestQueries = new PrivacyRequestQueries(reads, personalData);
  const idempotency = new Idempotency(idempotencySecret, keys);
  const states = new StreamStates(
    events,
    upcasters,
    config.snapshotCacheEntries ? { maxSnapshots: config.snapshotCacheEntries } : {},
  );
  const history = new History(events, personalData, states, upcasters);
  const offerDirectory = new OfferDirectoryQueries(reads, events);
  const readRecorder = new ReadRecorder(handler, clock, logger ? { logger } : {});
  const publisherQueries = new PublisherQueries(reads, personalData);
  const offerQueries = new OfferQueries(reads, personalData);
  const grantPolicy = {
    maxMinutes: config.accessGrantMaxMinutes ?? Number(SETTINGS.accessGrantMaxMinutes.default),
    emergencyMinutes: config.emergencyAccessMaxMinutes ?? Number(SETTINGS.emergencyAccessMaxMinutes.default),
    approvalRequired: config.accessGrantApproval ?? false, // SETTINGS.accessGrantApproval.default
  };
  const accessGrants = new AccessGrantService(handler, clock, ids, idempotency, actors, grantPolicy);
  keys.forgetting.register(accessGrants); // a forgotten person's cached reference goes with them
  const membership = new Membership(handler, privacyRequestQueries, new MembershipQueries(reads), actors, (...args) =>
    accessGrants.activeGrant(...args),
  );
  const erasure = new ErasureService(handler, keys, offerDirectory, clock, idempotency, parts.accountActors);
  return {
    publishers: new PublisherService(handler, clock, ids, idempotency, actors, new RegistrationCodeService(handler)),
    membership,
    accessGrants,
    accessGrantQueries: new AccessGrantQueries(reads, clock),
    offers: new OfferService(handler, clock, ids, idempotency, actors),
    offerQueries,
    privacyRequests: new PrivacyRequestService(handler, privacyRequestQueries, clock, idempotency),
    privacyRequestQueries,
    readRecorder,
    auditQueries: new AuditQueries(reads, { filterIds: (actorId) => membership.actorIds(actorId) }),
    actors,
    integrity: new IntegrityVerifier(events),
    publisherQueries,
    analytics: new AnalyticsQueries(reads),
    maskedPublishers: new MaskedPublisherQueries(publisherQueries, offerQueries, keys),
    history,
    pointInTime: new PointInTime(states, personalData),
    historyExport: new HistoryExport(history, offerDirectory),
    offerDirectory,
    erasure,
    disclosures: new DisclosureService(handler, clock, ids, idempotency, actors, (publisherId, context) =>
      erasure.eraseDisclosureRecipients(publisherId, context),
    ),
    disclosureQueries: new DisclosureQueries(reads, personalData, clock),
    contactLists: new ContactListService({
      handler,
      publishers: publisherQueries,
      clock,
      ids,
      headPosition: () => events.headPosition(),
      waitForPosition,
    }),
    personalDataExport: new PersonalDataExport(
      handler,
      history,
      offerDirectory,
      readRecorder,
      () => clock.now(),
      (publisherId, now) => disclosuresToTell(events, codec, publisherId, now),
    ),
    waitForPosition,
  };
}
