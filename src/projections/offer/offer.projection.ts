import { assertNever } from '../../assert-never.js';
import { everyEventOf, type Handles } from '../../events/ledger-events.js';
import { evolveOffer, initialOfferState, type LiveOfferState } from '../../events/offer/offer.events.js';
import type { PersonalValue } from '../../privacy/personal-value.js';
import { documentProjection, type ProjectedDoc } from '../document-projection.js';

export const OFFERS = 'offers';

/**
 * An offer as its read model holds it: the offer aggregate's own state,
 * folded by its own evolve over the events as stored (support contacts
 * stay sealed). Deleted offers, and those withdrawn when their publisher's
 * account was closed, are removed.
 */
export type OfferRecord = LiveOfferState<PersonalValue> & {
  /** number of events in the offer's stream (the version clients edit) */
  version: number;
};

export type OfferDoc = ProjectedDoc & OfferRecord;

/** Every offer event moves the version, so every one is folded. */
const handles = {
  offer: everyEventOf.offer,
} as const satisfies Handles;

export const offerProjection = documentProjection<OfferDoc, typeof handles>({
  name: 'offers',
  // 2: the offer's own fold, statuses in the API's words (DRAFT, not draft)
  shape: 2,
  collection: {
    name: OFFERS,
    indexes: [
      { name: 'by_publisher_newest', fields: [{ field: 'publisherId' }, { field: 'createdAt', direction: 'desc' }] },
    ],
  },
  handles,
  documentId: (event) => event.data.offerId,
  evolve(doc, event) {
    const state = evolveOffer<PersonalValue>(doc ?? initialOfferState, event);
    switch (state.status) {
      case 'none': // an event before the creation: nothing to show
        return doc;
      case 'DELETED': // gone from every list and query; its history stays in the log
        return null;
      case 'DRAFT':
      case 'PUBLISHED':
        return { ...state, version: event.revision + 1 };
      default:
        return assertNever(state);
    }
  },
});
