import type { PersonalDataCodec } from '../../privacy/personal-data-codec.js';
import { anyErased, erasedUntilRewritten, shownOrNull } from '../../privacy/personal-value.js';
import { sharedView } from '../shared-view.js';
import type { Filter, Page, ReadStore } from '../store/read-store.js';
import { PUBLISHERS, type PublisherDoc } from './publisher.projection.js';

/** A publisher as the API shows it; a personal value is null once erased. */
export interface PublisherView {
  id: string;
  companyName: string;
  registrationCode: string;
  registrationStatus: 'PENDING' | 'APPROVED' | 'REJECTED' | 'CLOSED';
  rejectionReason: string | null;
  contactPreferences: { aboutOffers: boolean; aboutFeedback: boolean; byEmail: boolean; byPhone: boolean };
  contact: ContactView;
  aadUsers: AadUserView[];
  version: number;
  registeredAt: string;
  updatedAt: string;
}

/** The contact person as the API shows it: `erased` once its key was destroyed (its values then read null). */
export interface ContactView {
  name: string | null;
  telephone: string | null;
  email: string | null;
  erased: boolean;
}

/** An AAD account as the API shows it; its personal values are null once erased. */
export interface AadUserView {
  /** server-assigned: names the account's data subject (erasure) */
  accountId: string;
  erased: boolean;
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

  /** Every publisher matching `filter` (dotted paths into the document, e.g. `contactPreferences.byEmail`), a page at a time. */
  async matching(filter: Filter): Promise<PublisherView[]> {
    const views: PublisherView[] = [];
    let after: string | null = null;
    do {
      const page: Page<PublisherDoc> = await this.store.find<PublisherDoc>(PUBLISHERS, {
        filter,
        first: 500,
        ...(after ? { after } : {}),
      });
      views.push(...(await this.personalData.openMany(page.items)).map(toView));
      after = page.hasNextPage ? page.endCursor : null;
    } while (after);
    return views;
  }
}

const toView = sharedView(function toView(doc: PublisherDoc): PublisherView {
  return publisherView(doc, doc.version);
});

type Fields<K extends string> = Readonly<Partial<Record<K, unknown>>>;

/** The opened fields of a publisher, from a read model document or a folded state. */
export interface OpenedPublisher {
  id: string;
  companyName: string;
  registrationCode: string;
  registrationStatus: PublisherView['registrationStatus'];
  rejectionReason: string | null;
  contactPreferences: Fields<keyof PublisherView['contactPreferences']>;
  contact: Fields<'name' | 'telephone' | 'email'>;
  aadUsers: ReadonlyArray<
    Fields<'accountId' | 'objectId' | 'userPrincipalName' | 'displayName' | 'addedAt' | 'addedBy'>
  >;
  registeredAt: string;
  updatedAt: string;
}

/** A publisher (personal values opened; erased ones as ERASED) as the API shows it. */
export function publisherView(record: OpenedPublisher, version: number): PublisherView {
  const contact = record.contact;
  return {
    id: record.id,
    companyName: record.companyName,
    registrationCode: record.registrationCode,
    registrationStatus: record.registrationStatus,
    rejectionReason: record.rejectionReason,
    contactPreferences: {
      aboutOffers: record.contactPreferences['aboutOffers'] === true,
      aboutFeedback: record.contactPreferences['aboutFeedback'] === true,
      byEmail: record.contactPreferences['byEmail'] === true,
      byPhone: record.contactPreferences['byPhone'] === true,
    },
    contact: {
      name: shownOrNull(contact['name']),
      telephone: shownOrNull(contact['telephone']),
      email: shownOrNull(contact['email']),
      erased: erasedUntilRewritten([contact['name'], contact['telephone'], contact['email']]),
    },
    aadUsers: (record.aadUsers ?? []).map((user) => ({
      accountId: String(user['accountId']),
      erased: anyErased([user['objectId'], user['userPrincipalName'], user['displayName']]),
      objectId: shownOrNull(user['objectId']),
      userPrincipalName: shownOrNull(user['userPrincipalName']),
      displayName: shownOrNull(user['displayName']),
      addedAt: String(user['addedAt']),
      addedBy: String(user['addedBy']),
    })),
    version,
    registeredAt: record.registeredAt,
    updatedAt: record.updatedAt,
  };
}
