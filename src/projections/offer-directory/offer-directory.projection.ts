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

export const offerDirectoryProjection = documentProjection<OfferDirectoryDoc>({
  name: offerDirectoryName,
  collection: { name: OFFER_DIRECTORY, indexes: [{ name: 'by_publisher', fields: [{ field: 'publisherId' }, { field: 'createdAt' }] }] },
  documentId: (event) => (event.type === 'OfferCreated' && event.streamId.startsWith('offer-') ? String(event.data['offerId']) : null),
  evolve: (doc, event) =>
    doc ?? { id: String(event.data['offerId']), publisherId: String(event.data['publisherId']), createdAt: String(event.data['createdAt']) },
});
