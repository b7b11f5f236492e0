import type { PersonalDataCodec } from '../../privacy/personal-data-codec.js';
import { isErased, shownOrNull } from '../../privacy/personal-value.js';
import { countedPage } from '../store/counted-page.js';
import type { Page, ReadStore } from '../store/read-store.js';
import type { Filter } from '../store/read-store.js';
import {
  isDeletedRecord,
  PRIVACY_REQUESTS,
  type PrivacyRequestDoc,
  type PrivacyRequestRecord,
} from './privacy-request.projection.js';

/** A record as the API shows it: the requester is null, and flagged, once its retention key is destroyed. */
export type PrivacyRequestView = Omit<PrivacyRequestRecord, 'requestedBy'> & {
  requestedBy: string | null;
  requestedByErased: boolean;
};

export class PrivacyRequestQueries {
  constructor(
    private readonly store: ReadStore,
    private readonly personalData: PersonalDataCodec,
  ) {}

  /** A publisher's records, newest first. */
  async forPublisher(
    publisherId: string,
    first: number,
    after?: string | null,
  ): Promise<Page<PrivacyRequestView> & { totalCount: number }> {
    const filter: Filter = { publisherId, deleted: { ne: true } };
    const page = await countedPage<PrivacyRequestRecord & PrivacyRequestDoc>(this.store, PRIVACY_REQUESTS, {
      filter,
      sort: [{ field: 'requestedAt', direction: 'desc' }],
      first,
      ...(after ? { after } : {}),
    });
    const items = (await this.personalData.openMany(page.items)).map(
      ({ _position: _, requestedBy, ...record }): PrivacyRequestView => ({
        ...record,
        // records projected before access grants have neither
        accessGrantId: record.accessGrantId ?? null,
        emergencyAccess: record.emergencyAccess ?? false,
        requestedBy: shownOrNull(requestedBy),
        requestedByErased: isErased(requestedBy),
      }),
    );
    return { ...page, items };
  }

  /** Whose record it is, and whether it was deleted; null if there never was one. */
  async locate(id: string): Promise<{ publisherId: string; deleted: boolean } | null> {
    const doc = await this.store.get<PrivacyRequestDoc>(PRIVACY_REQUESTS, id);
    return doc && { publisherId: doc.publisherId, deleted: isDeletedRecord(doc) };
  }
}
