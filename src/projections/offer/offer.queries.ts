import { supportContactFields } from '../../events/offer/offer.events.js';
import type { PersonalDataCodec } from '../../privacy/personal-data-codec.js';
import { anyErased, shownOrNull } from '../../privacy/personal-value.js';
import { countedPage } from '../store/counted-page.js';
import { sharedView } from '../shared-view.js';
import type { Filter, Page, ReadStore } from '../store/read-store.js';
import { OFFERS, type OfferDoc, type OfferRecord } from './offer.projection.js';

/** Every field null when absent or erased; `erased` once the contacts' key was destroyed. */
export type SupportContactView = Record<(typeof supportContactFields)[number], string | null> & { erased: boolean };
export type OfferView = Omit<OfferRecord, 'supportContacts' | 'supportErased'> & {
  supportContacts: SupportContactView[];
};

export interface OfferFilter {
  status?: OfferRecord['status'] | null;
  kind?: OfferRecord['kind'] | null;
}

export class OfferQueries {
  constructor(
    private readonly store: ReadStore,
    private readonly personalData: PersonalDataCodec,
  ) {}

  /** One read-store call and one key lookup, however many ids. */
  async byIds(ids: readonly string[]): Promise<(OfferView | null)[]> {
    const docs = await this.store.getMany<OfferDoc>(OFFERS, ids);
    return (await this.personalData.openMany(docs)).map((doc) => (doc ? toView(doc) : null));
  }

  /** A publisher's offers, newest first: one find, one key lookup, and a count unless the first page holds them all. */
  async forPublisher(
    publisherId: string,
    filter: OfferFilter,
    first: number,
    after?: string | null,
  ): Promise<Page<OfferView> & { totalCount: number }> {
    const where: Filter = {
      publisherId,
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.kind ? { kind: filter.kind } : {}),
    };
    const page = await countedPage<OfferDoc>(this.store, OFFERS, {
      filter: where,
      sort: [{ field: 'createdAt', direction: 'desc' }],
      first,
      ...(after ? { after } : {}),
    });
    const items = (await this.personalData.openMany(page.items)).map(toView);
    return { ...page, items };
  }
}

const toView = sharedView(function toView(doc: OfferDoc): OfferView {
  const { _position: _, supportErased: __, supportContacts, ...offer } = doc;
  return {
    ...offer,
    supportContacts: supportContacts.map(supportContactView),
  };
});

/** A support contact (opened) as the API shows it: every field, null when absent or erased. */
export function supportContactView(
  contact: Readonly<Partial<Record<(typeof supportContactFields)[number], unknown>>>,
): SupportContactView {
  const fields = Object.fromEntries(supportContactFields.map((field) => [field, shownOrNull(contact[field])]));
  return { ...fields, erased: anyErased(supportContactFields.map((field) => contact[field])) } as SupportContactView;
}
