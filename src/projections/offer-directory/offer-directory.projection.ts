import type { Handles } from '../../events/ledger-events.js';
import { documentProjection, type ProjectedDoc } from '../document-projection.js';

export const OFFER_DIRECTORY = 'offer_directory';
export const offerDirectoryName = 'offer-directory';

/**
 * Every offer a publisher ever created, deleted ones included (the offers
 * read model forgets deleted offers; auditors still export their history).
 * Holds ids and instants only, no personal data.
 */
export interface OfferDirectoryDoc extends ProjectedDoc {
  publisherId: string;
  createdAt: string;
}

/** An offer is listed once created; nothing later removes it. */
const handles = {
  offer: {
    OfferCreated: true,
    OfferCustomerServiceUpdated: false,
    OfferPublished: false,
    OfferDeleted: false,
    PersonalDataErased: false,
  },
} as const satisfies Handles;

export const offerDirectoryProjection = documentProjection<OfferDirectoryDoc, typeof handles>({
  name: offerDirectoryName,
  collection: {
    name: OFFER_DIRECTORY,
    indexes: [{ name: 'by_publisher', fields: [{ field: 'publisherId' }, { field: 'createdAt' }] }],
  },
  handles,
  documentId: (event) => event.data.offerId,
  evolve: (doc, event) =>
    doc ?? { id: event.data.offerId, publisherId: event.data.publisherId, createdAt: event.data.createdAt },
});
