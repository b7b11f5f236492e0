import type { PersonalDataCodec } from '../../privacy/personal-data-codec.js';
import { shownOrNull } from '../../privacy/personal-value.js';
import { sharedView } from '../shared-view.js';
import type { ReadStore } from '../read-store.js';
import { PUBLISHERS, type PublisherDoc } from './publisher.projection.js';

/** A publisher as the API shows it; a personal value is null once erased. */
export interface PublisherView {
  id: string;
  companyName: string;
  registrationCode: string;
  registrationStatus: 'PENDING' | 'APPROVED' | 'REJECTED';
  rejectionReason: string | null;
  contactPreferences: { aboutOffers: boolean; aboutFeedback: boolean; byEmail: boolean; byPhone: boolean };
  contact: { name: string | null; telephone: string | null; email: string | null };
  aadUsers: AadUserView[];
  version: number;
  registeredAt: string;
  updatedAt: string;
}

/** An AAD account as the API shows it; its personal values are null once erased. */
export interface AadUserView {
  objectId: string | null;
  userPrincipalName: string | null;
  displayName: string | null;
  addedAt: string;
  addedBy: string;
}

export class PublisherQueries {
  constructor(
    private readonly store: ReadStore,
    private readonly personalData: PersonalDataCodec,
  ) {}

  /** One read-store call and one key lookup, however many ids. */
  async byIds(ids: readonly string[]): Promise<(PublisherView | null)[]> {
    const docs = await this.store.getMany<PublisherDoc>(PUBLISHERS, ids);
    const opened = await this.personalData.openMany(docs);
    return opened.map((doc) => (doc ? toView(doc) : null));
  }
}

const toView = sharedView(function toView(doc: PublisherDoc): PublisherView {
  return {
    id: doc.id,
    companyName: doc.companyName,
    registrationCode: doc.registrationCode,
    registrationStatus: doc.registrationStatus,
    rejectionReason: doc.rejectionReason,
    contactPreferences: {
      aboutOffers: doc.contactPreferences['aboutOffers'] === true,
      aboutFeedback: doc.contactPreferences['aboutFeedback'] === true,
      byEmail: doc.contactPreferences['byEmail'] === true,
      byPhone: doc.contactPreferences['byPhone'] === true,
    },
    contact: {
      name: shownOrNull(doc.contact['name']),
      telephone: shownOrNull(doc.contact['telephone']),
      email: shownOrNull(doc.contact['email']),
    },
    aadUsers: (doc.aadUsers ?? []).map((user) => ({
      objectId: shownOrNull(user['objectId']),
      userPrincipalName: shownOrNull(user['userPrincipalName']),
      displayName: shownOrNull(user['displayName']),
      addedAt: String(user['addedAt']),
      addedBy: String(user['addedBy']),
    })),
    version: doc.version,
    registeredAt: doc.registeredAt,
    updatedAt: doc.updatedAt,
  };
});
