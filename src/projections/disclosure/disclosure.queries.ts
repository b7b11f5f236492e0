import type { Clock } from '../../clock.js';
import type { DisclosureNotice, LegalBasis } from '../../events/disclosure/disclosure.events.js';
import type { PersonalDataCodec } from '../../privacy/personal-data-codec.js';
import { isErased, shownOrNull } from '../../privacy/personal-value.js';
import { countedPage } from '../store/counted-page.js';
import type { Filter, Page } from '../store/read-store.js';
import type { ReadStore } from '../store/read-store.js';
import { DISCLOSURES, type DisclosureDoc } from './disclosure.projection.js';

/** A disclosure as the API shows it: the recipient's name is null, and flagged, once erased with the account. */
export interface DisclosureView {
  id: string;
  publisherId: string;
  recipient: { name: string | null; country: string; erased: boolean };
  fields: string[];
  legalBasis: LegalBasis;
  disclosedAt: string;
  notice: DisclosureNotice;
  recordedAt: string;
  recordedBy: string;
}

export class DisclosureQueries {
  constructor(
    private readonly store: ReadStore,
    private readonly personalData: PersonalDataCodec,
    private readonly clock: Clock,
  ) {}

  /**
   * A publisher's disclosures, newest first: `all` of them (operators,
   * auditors), or those whose notice may be given by now (its members).
   */
  async forPublisher(
    publisherId: string,
    all: boolean,
    first: number,
    after?: string | null,
  ): Promise<Page<DisclosureView> & { totalCount: number }> {
    const filter: Filter = { publisherId, ...(all ? {} : { visibleFrom: { lte: this.clock.now().toISOString() } }) };
    const page = await countedPage<DisclosureDoc>(this.store, DISCLOSURES, {
      filter,
      sort: [{ field: 'disclosedAt', direction: 'desc' }],
      first,
      ...(after ? { after } : {}),
    });
    const items = (await this.personalData.openMany(page.items)).map((doc): DisclosureView => ({
      id: doc.id,
      publisherId: doc.publisherId,
      recipient: {
        name: shownOrNull(doc.recipientName),
        country: doc.recipientCountry,
        erased: isErased(doc.recipientName),
      },
      fields: [...doc.fields],
      legalBasis: doc.legalBasis,
      disclosedAt: doc.disclosedAt,
      notice: doc.notice,
      recordedAt: doc.recordedAt,
      recordedBy: doc.recordedBy,
    }));
    return { ...page, items };
  }
}
