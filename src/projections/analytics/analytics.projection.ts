import { assertNever } from '../../assert-never.js';
import { everyEventOf, type Handles } from '../../events/ledger-events.js';
import type { OfferKind, OfferStatus } from '../../events/offer/offer.events.js';
import type { RegistrationStatus } from '../../events/publisher/publisher.events.js';
import { documentProjection, type ProjectedDoc } from '../document-projection.js';
import type { Projection } from '../projection.js';

/**
 * Analytics read models for analysts. They hold no personal data at all:
 * only ids of publishers and offers (legal entities and products, not
 * people), statuses, kinds and counts. Nothing here is ever sealed, so
 * nothing here needs erasing; the test in
 * test/projections/analytics/analytics.projection.test.ts checks it.
 */
export const ANALYTICS_PUBLISHERS = 'analytics_publishers';
export const ANALYTICS_OFFERS = 'analytics_offers';
export const ANALYTICS_DAYS = 'analytics_days';

export interface PublisherStatusDoc extends ProjectedDoc {
  status: RegistrationStatus;
}

export interface OfferKindStatusDoc extends ProjectedDoc {
  kind: OfferKind;
  status: OfferStatus;
}

/** One document per UTC day (`id` is `YYYY-MM-DD`). */
export interface DayDoc extends ProjectedDoc {
  changes: number;
  erasures: number;
  /** absent from days counted before disclosures and contact lists were (read as 0) */
  disclosures?: number;
  contactLists?: number;
  /** access grants requested that day, emergency ones included (absent from days counted before grants) */
  accessGrants?: number;
  /** emergency (break-glass) accesses opened that day */
  emergencyAccesses?: number;
}

/** The events that set a registration status; the others leave it as it is. */
const statusEvents = {
  publisher: {
    PublisherRegistered: true,
    PublisherApproved: true,
    PublisherRejected: true,
    PublisherAccountClosed: true,
    ContactUpdated: false,
    ContactPreferencesChanged: false,
    AadUserAdded: false,
    AadUserRemoved: false,
    // erasing people is no change of status (closing the account is PublisherAccountClosed)
    PersonalDataErased: false,
  },
} as const satisfies Handles;

/** Each publisher's registration status, and nothing else; the same status as the publisher read model's. */
export const publisherStatusProjection = documentProjection<PublisherStatusDoc, typeof statusEvents>({
  name: 'analytics-publishers',
  collection: { name: ANALYTICS_PUBLISHERS },
  handles: statusEvents,
  documentId: (event) => event.data.publisherId,
  evolve(doc, event) {
    switch (event.type) {
      case 'PublisherRegistered':
        return { id: event.data.publisherId, status: 'PENDING' };
      case 'PublisherApproved':
        return doc && { id: doc.id, status: 'APPROVED' };
      case 'PublisherRejected':
        return doc && { id: doc.id, status: 'REJECTED' };
      case 'PublisherAccountClosed':
        return doc && { id: doc.id, status: 'CLOSED' };
      default:
        return assertNever(event);
    }
  },
});

const offerStatusEvents = {
  offer: {
    OfferCreated: true,
    OfferPublished: true,
    OfferDeleted: true,
    PersonalDataErased: true,
    OfferCustomerServiceUpdated: false,
  },
} as const satisfies Handles;

/** Each offer's kind and status; a deleted offer, or one withdrawn with its publisher's account, is counted as DELETED. */
export const offerKindStatusProjection = documentProjection<OfferKindStatusDoc, typeof offerStatusEvents>({
  name: 'analytics-offers',
  collection: { name: ANALYTICS_OFFERS },
  handles: offerStatusEvents,
  documentId: (event) => event.data.offerId,
  evolve(doc, event) {
    switch (event.type) {
      case 'OfferCreated':
        return { id: event.data.offerId, kind: event.data.kind, status: 'DRAFT' };
      case 'OfferPublished':
        return doc && { id: doc.id, kind: doc.kind, status: 'PUBLISHED' };
      case 'OfferDeleted':
        return doc && { id: doc.id, kind: doc.kind, status: 'DELETED' };
      case 'PersonalDataErased': // closing the account withdraws the offer (see evolveOffer); a person's erasure keeps it
        return event.data.scope === 'account' ? doc && { id: doc.id, kind: doc.kind, status: 'DELETED' } : doc;
      default:
        return assertNever(event);
    }
  },
});

/**
 * Every change to a publisher or an offer is counted, and so are disclosures
 * and contact lists (not as changes); privacy request records are not
 * changes; of access grants, each grant (not its approval, revocation or reads).
 */
const countedEvents = {
  publisher: everyEventOf.publisher,
  offer: everyEventOf.offer,
  disclosure: everyEventOf.disclosure,
  contactList: everyEventOf.contactList,
  accessGrant: {
    AccessGrantRequested: true,
    AccessGrantApproved: false,
    AccessGrantRevoked: false,
    AccessGrantUsed: false,
    GranteesForgotten: false,
  },
} as const satisfies Handles;

/**
 * Changes, erasures, disclosures, contact lists, access grants and
 * emergency accesses per UTC day of `occurredAt`: an erasure is a
 * PersonalDataErased (a disclosure recipients' one too), a disclosure a
 * DisclosureRecorded, a list a ContactListProduced, a grant an
 * AccessGrantRequested (an emergency one counted in both grants and
 * emergency accesses), a change any other publisher or offer event. Idempotent like
 * every document projection: positions grow through the log, so an event
 * at or below a day's `_position` was counted already.
 */
export const changesPerDayProjection = documentProjection<DayDoc, typeof countedEvents>({
  name: 'analytics-days',
  collection: { name: ANALYTICS_DAYS },
  handles: countedEvents,
  documentId: (event) => event.occurredAt.slice(0, 10),
  evolve(doc, event) {
    const {
      id,
      changes,
      erasures,
      disclosures = 0,
      contactLists = 0,
      accessGrants = 0,
      emergencyAccesses = 0,
    } = doc ?? { id: event.occurredAt.slice(0, 10), changes: 0, erasures: 0 };
    const counts = { id, changes, erasures, disclosures, contactLists, accessGrants, emergencyAccesses };
    if (event.type === 'AccessGrantRequested')
      return {
        ...counts,
        accessGrants: accessGrants + 1,
        emergencyAccesses: emergencyAccesses + (event.data.emergency ? 1 : 0),
      };
    const counted =
      event.type === 'PersonalDataErased'
        ? 'erasures'
        : event.type === 'DisclosureRecorded'
          ? 'disclosures'
          : event.type === 'ContactListProduced'
            ? 'contactLists'
            : 'changes';
    return { ...counts, [counted]: counts[counted] + 1 };
  },
});

const parts = [publisherStatusProjection, offerKindStatusProjection, changesPerDayProjection];

/**
 * The three as one projection: one subscription, one checkpoint and one
 * read-store transaction per batch rather than three, since every
 * mutation's events pass through each projection of the process (the
 * parts' own names are never checkpoints).
 */
export const analyticsProjection: Projection = {
  name: 'analytics',
  // 2: closed publishers count as CLOSED, their withdrawn offers as DELETED; 3: access grants and emergency accesses per day
  shape: 3,
  collections: parts.flatMap((part) => part.collections),
  async project(events, store) {
    return (await Promise.all(parts.map((part) => part.project(events, store)))).flat();
  },
};
