import DataLoader from 'dataloader';
import type { HistoryExport } from '../history/export.js';
import type { History } from '../history/history.js';
import type { PersonalDataExport } from '../history/personal-data-export.js';
import type { PointInTime } from '../history/point-in-time.js';
import type { AccessChecks, AuthorizedContext } from '../auth/authorize.js';
import type { Membership } from '../auth/membership.js';
import type { AccessGrantService } from '../events/access-grant/access-grant.service.js';
import type { AccessGrantQueries } from '../projections/access-grant/access-grant.queries.js';
import type { Principal } from '../auth/principal.js';
import type { CommandContext } from '../events/store/event-codec.js';
import type { IntegrityVerifier } from '../events/store/integrity.js';
import type { OfferService } from '../events/offer/offer.service.js';
import type { OfferQueries, OfferView } from '../projections/offer/offer.queries.js';
import type { PrivacyRequestService } from '../events/privacy-request/privacy-request.service.js';
import type { OfferDirectoryQueries } from '../projections/offer-directory/offer-directory.queries.js';
import type { ReadRecorder } from '../events/privacy-request/read-recorder.js';
import type { ActorReferences } from '../privacy/actor-references.js';
import type { ErasureService } from '../events/erasure/erasure.service.js';
import type { PublisherService } from '../events/publisher/publisher.service.js';
import type { DisclosureService } from '../events/disclosure/disclosure.service.js';
import type { ContactListService } from '../events/contact-list/contact-list.service.js';
import type { DisclosureQueries } from '../projections/disclosure/disclosure.queries.js';
import type { AuditQueries } from '../projections/audit-trail/audit-trail.queries.js';
import type { AnalyticsQueries } from '../projections/analytics/analytics.queries.js';
import type { MaskedPublisherQueries } from '../projections/masked/masked-publisher.queries.js';
import type { PrivacyRequestQueries } from '../projections/privacy-request/privacy-request.queries.js';
import type { PublisherQueries, PublisherView } from '../projections/publisher/publisher.queries.js';

/** What resolvers may use: application services and read queries, never a store. */
export interface Services {
  publishers: PublisherService;
  publisherQueries: PublisherQueries;
  offers: OfferService;
  offerQueries: OfferQueries;
  privacyRequests: PrivacyRequestService;
  privacyRequestQueries: PrivacyRequestQueries;
  /** records views and exports of personal data as privacy requests */
  readRecorder: ReadRecorder;
  /** analysts: counts from read models without personal data */
  analytics: AnalyticsQueries;
  /** analysts: a publisher and its offers, personal values masked */
  maskedPublishers: MaskedPublisherQueries;
  /** auditors: change histories, records as they stood at an instant, exports */
  history: History;
  pointInTime: PointInTime;
  /** auditors: who a recorded actor is (its object id while its person is not erased) */
  actors: ActorReferences;
  historyExport: HistoryExport;
  /** every offer ever created, deleted ones included, by publisher */
  offerDirectory: OfferDirectoryQueries;
  /** the audit trail of the whole log */
  auditQueries: AuditQueries;
  /** tamper evidence: recomputes the hash chain */
  integrity: IntegrityVerifier;
  /** operators' access grants to publishers' personal data */
  accessGrants: AccessGrantService;
  accessGrantQueries: AccessGrantQueries;
  /** who belongs to which publisher (for authorisation and `me`) */
  membership: Membership;
  /** data subjects' rights: erasure and account closure, and the export of their data */
  erasure: ErasureService;
  personalDataExport: PersonalDataExport;
  /** disclosures of a publisher's data to third parties (operators record them) */
  disclosures: DisclosureService;
  disclosureQueries: DisclosureQueries;
  /** who may be contacted for a purpose by a channel (operators) */
  contactLists: ContactListService;
  /** read-your-writes: waits, bounded, until the read models reach a position */
  waitForPosition(position: number): Promise<void>;
}

export interface Loaders {
  publisher: DataLoader<string, PublisherView | null>;
  offer: DataLoader<string, OfferView | null>;
}

export interface RequestContext extends AuthorizedContext {
  services: Services;
  loaders: Loaders;
  /** who is asking, from the verified bearer token */
  principal: Principal;
  /** membership answers for this request (src/auth/authorize.ts) */
  access: AccessChecks;
  /** who is asking, stamped on every event this request causes */
  command: CommandContext;
  /** this operation's views already told to the recorder, target -> publishers (src/resolvers/read-audit.ts); unset until the first */
  viewsTold?: Map<string, Set<string>>;
}

/** Built per request: DataLoader caches must never outlive the request. Each loader is made when first used (a publisher's page never loads an offer). */
export function createLoaders(services: Services): Loaders {
  let publisher: Loaders['publisher'] | undefined;
  let offer: Loaders['offer'] | undefined;
  return {
    get publisher() {
      return (publisher ??= new DataLoader((ids: readonly string[]) => services.publisherQueries.byIds(ids)));
    },
    get offer() {
      return (offer ??= new DataLoader((ids: readonly string[]) => services.offerQueries.byIds(ids)));
    },
  };
}
