import type { Page, ReadStore } from '../read-store.js';
import type { Filter } from '../read-store.js';
import { isDeletedRecord, PRIVACY_REQUESTS, type PrivacyRequestDoc, type PrivacyRequestRecord } from './privacy-request.projection.js';

export type PrivacyRequestView = PrivacyRequestRecord;

export class PrivacyRequestQueries {
  constructor(private readonly store: ReadStore) {}

  /** A publisher's records, newest first. */
  async forPublisher(publisherId: string, first: number, after?: string | null): Promise<Page<PrivacyRequestView> & { totalCount: number }> {
    const filter: Filter = { publisherId, deleted: { ne: true } };
    const [page, totalCount] = await Promise.all([
      this.store.find<PrivacyRequestRecord & PrivacyRequestDoc>(PRIVACY_REQUESTS, {
        filter,
        sort: [{ field: 'requestedAt', direction: 'desc' }],
        first,
        ...(after ? { after } : {}),
      }),
      this.store.count(PRIVACY_REQUESTS, filter),
    ]);
    return { ...page, totalCount };
  }

  /** Whose record it is, and whether it was deleted; null if there never was one. */
  async locate(id: string): Promise<{ publisherId: string; deleted: boolean } | null> {
    const doc = await this.store.get<PrivacyRequestDoc>(PRIVACY_REQUESTS, id);
    return doc && { publisherId: doc.publisherId, deleted: isDeletedRecord(doc) };
  }
}
