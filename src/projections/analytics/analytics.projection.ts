import type { RecordedEvent } from '../../events/event-envelope.js';
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

/** The erasure event; counted by its type name only. */
export const ERASURE_EVENT = 'PersonalDataErased';

export interface PublisherStatusDoc extends ProjectedDoc {
  status: 'PENDING' | 'APPROVED' | 'REJECTED';
}

export interface OfferKindStatusDoc extends ProjectedDoc {
  kind: string;
  status: 'DRAFT' | 'PUBLISHED' | 'DELETED';
}

/** One document per UTC day (`id` is `YYYY-MM-DD`). */
export interface DayDoc extends ProjectedDoc {
  changes: number;
  erasures: number;
}

/** Each publisher's registration status, and nothing else. */
export const publisherStatusProjection = documentProjection<PublisherStatusDoc>({
  name: 'analytics-publishers',
  collection: { name: ANALYTICS_PUBLISHERS },
  documentId: (event) => (event.streamId.startsWith('publisher-') ? String(event.data['publisherId']) : null),
  evolve(doc, event) {
    switch (event.type) {
      case 'PublisherRegistered':
        return { id: String(event.data['publisherId']), status: 'PENDING' };
      case 'PublisherApproved':
        return doc && { id: doc.id, status: 'APPROVED' };
      case 'PublisherRejected':
        return doc && { id: doc.id, status: 'REJECTED' };
      default:
        return doc;
    }
  },
});

/** Each offer's kind and status; a deleted offer is counted as DELETED. */
export const offerKindStatusProjection = documentProjection<OfferKindStatusDoc>({
  name: 'analytics-offers',
  collection: { name: ANALYTICS_OFFERS },
  documentId: (event) => (event.streamId.startsWith('offer-') ? String(event.data['offerId']) : null),
  evolve(doc, event) {
    switch (event.type) {
      case 'OfferCreated':
        return { id: String(event.data['offerId']), kind: String(event.data['kind']), status: 'DRAFT' };
      case 'OfferPublished':
        return doc && { id: doc.id, kind: doc.kind, status: 'PUBLISHED' };
      case 'OfferDeleted':
        return doc && { id: doc.id, kind: doc.kind, status: 'DELETED' };
      default:
        return doc;
    }
  },
});

/** A change is any event of a publisher's or an offer's stream other than an erasure. */
const isChange = (event: RecordedEvent): boolean =>
  event.type !== ERASURE_EVENT && (event.streamId.startsWith('publisher-') || event.streamId.startsWith('offer-'));

/**
 * Changes and erasures per UTC day of `occurredAt`. Idempotent like every
 * document projection: positions grow through the log, so an event at or
 * below a day's `_position` was counted already.
 */
export const changesPerDayProjection = documentProjection<DayDoc>({
  name: 'analytics-days',
  collection: { name: ANALYTICS_DAYS },
  documentId: (event) => (event.type === ERASURE_EVENT || isChange(event) ? event.occurredAt.slice(0, 10) : null),
  evolve(doc, event) {
    const day = doc ?? { id: event.occurredAt.slice(0, 10), changes: 0, erasures: 0 };
    return {
      id: day.id,
      changes: day.changes + (isChange(event) ? 1 : 0),
      erasures: day.erasures + (event.type === ERASURE_EVENT ? 1 : 0),
    };
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
  collections: parts.flatMap((part) => part.collections),
  async project(events, store) {
    return (await Promise.all(parts.map((part) => part.project(events, store)))).flat();
  },
};
