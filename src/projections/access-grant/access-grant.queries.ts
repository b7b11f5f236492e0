import type { Clock } from '../../clock.js';
import { grantStatus, type GrantStatus } from '../../events/access-grant/access-grant.events.js';
import { countedPage } from '../store/counted-page.js';
import type { Page, ReadStore } from '../store/read-store.js';
import { ACCESS_GRANTS, type AccessGrantDoc, type AccessGrantRecord } from './access-grant.projection.js';

/** A grant as the API shows it: with its status now. */
export type AccessGrantView = AccessGrantRecord & { status: GrantStatus };

export class AccessGrantQueries {
  constructor(
    private readonly store: ReadStore,
    private readonly clock: Clock,
  ) {}

  /** A publisher's grants, newest first; expiry is a matter of time, so the status is computed at the instant of the query. */
  async forPublisher(
    publisherId: string,
    first: number,
    after?: string | null,
  ): Promise<Page<AccessGrantView> & { totalCount: number }> {
    const page = await countedPage<AccessGrantDoc>(this.store, ACCESS_GRANTS, {
      filter: { publisherId },
      sort: [{ field: 'requestedAt', direction: 'desc' }],
      first,
      ...(after ? { after } : {}),
    });
    const now = this.clock.now().toISOString();
    const items = page.items.map(({ _position: _, ...grant }) => withStatus(grant, now));
    return { ...page, items };
  }
}

/** The record with its status at `now`. */
export function withStatus(grant: AccessGrantRecord, now: string): AccessGrantView {
  return {
    ...grant,
    status: grantStatus(
      { ...grant, approvedBy: grant.approvedBy ?? undefined, revokedAt: grant.revokedAt ?? undefined },
      now,
    ),
  };
}
