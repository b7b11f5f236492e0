import type { Page, ReadStore } from '../read-store.js';
import { PRIVACY_REQUESTS, type PrivacyRequestDoc, type PrivacyRequestRecord } from './privacy-request.projection.js';

export type PrivacyRequestView = PrivacyRequestRecord;

export class PrivacyRequestQueries {
  constructor(private readonly store: ReadStore) {}

  /** A publisher's records, newest first. */
  async forPublisher(publisherId: string, first: number, after?: string | null): Promise<Page<PrivacyRequestView> & { totalCount: number }> {
    const [page, totalCount] = await Promise.all([
      this.store.find<PrivacyRequestDoc>(PRIVACY_REQUESTS, {
        filter: { publisherId },
        sort: [{ field: 'requestedAt', direction: 'desc' }],
        first,
        ...(after ? { after } : {}),
      }),
      this.store.count(PRIVACY_REQUESTS, { publisherId }),
    ]);
    return { ...page, totalCount };
  }

  async byId(id: string): Promise<PrivacyRequestView | null> {
    return this.store.get<PrivacyRequestDoc>(PRIVACY_REQUESTS, id);
  }
}
