import { documentProjection, type ProjectedDoc } from '../document-projection.js';

export const OFFERS = 'offers';

/** An offer as its read model holds it; support contacts stay sealed. Deleted offers are removed. */
export interface OfferRecord {
  id: string;
  publisherId: string;
  name: string;
  kind: 'VIRTUAL_MACHINE' | 'SOLUTION_TEMPLATE' | 'CUSTOMIZED_SERVICE';
  status: 'DRAFT' | 'PUBLISHED';
  supportContacts: Array<Record<string, unknown>>;
  version: number;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
}

export type OfferDoc = ProjectedDoc & OfferRecord;

type Data = Record<string, unknown>;

export const offerProjection = documentProjection<OfferDoc>({
  name: 'offers',
  collection: {
    name: OFFERS,
    indexes: [{ name: 'by_publisher_newest', fields: [{ field: 'publisherId' }, { field: 'createdAt', direction: 'desc' }] }],
  },
  documentId: (event) => (event.streamId.startsWith('offer-') ? String(event.data['offerId']) : null),
  evolve(doc, event) {
    const data = event.data as Data;
    const version = event.revision + 1;
    switch (event.type) {
      case 'OfferCreated':
        return {
          id: String(data['offerId']),
          publisherId: String(data['publisherId']),
          name: String(data['name']),
          kind: data['kind'] as OfferRecord['kind'],
          status: 'DRAFT',
          supportContacts: [],
          version,
          createdAt: String(data['createdAt']),
          updatedAt: String(data['createdAt']),
          publishedAt: null,
        };
      case 'OfferCustomerServiceUpdated':
        return doc && { ...doc, supportContacts: data['supportContacts'] as Data[], version, updatedAt: String(data['updatedAt']) };
      case 'OfferPublished':
        return doc && { ...doc, status: 'PUBLISHED', version, updatedAt: String(data['publishedAt']), publishedAt: String(data['publishedAt']) };
      case 'OfferDeleted':
        return null; // gone from every list and query; its history stays in the log
      case 'PersonalDataErased': // closing the publisher's account withdraws the offer; otherwise its contacts read as erased
        return data['scope'] === 'account' ? null : doc && { ...doc, version, updatedAt: String(data['erasedAt']) };
      default:
        return doc ? { ...doc, version } : null;
    }
  },
});
