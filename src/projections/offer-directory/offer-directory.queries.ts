import type { EventStore } from '../../events/store/event-store.js';
import { offerStream } from '../../events/offer/offer.events.js';
import { ledgerEventOf } from '../../events/ledger-events.js';
import type { ReadStore } from '../store/read-store.js';
import { OFFER_DIRECTORY, offerDirectoryName, type OfferDirectoryDoc } from './offer-directory.projection.js';

const PAGE = 500;

export class OfferDirectoryQueries {
  constructor(
    private readonly reads: ReadStore,
    private readonly events: EventStore,
  ) {}

  /**
   * The ids of every offer the publisher created, oldest first, deleted ones
   * included. Exact even while the projection lags (or has never run, as in
   * a CLI process): what it has not applied yet is read from the log after
   * its checkpoint.
   */
  async offerIdsOf(publisherId: string): Promise<string[]> {
    const ids: string[] = [];
    let after: string | undefined;
    do {
      const page = await this.reads.find<OfferDirectoryDoc>(OFFER_DIRECTORY, {
        filter: { publisherId },
        sort: [{ field: 'createdAt' }],
        first: PAGE,
        ...(after ? { after } : {}),
      });
      ids.push(...page.items.map((doc) => doc.id));
      after = page.hasNextPage ? page.endCursor! : undefined;
    } while (after);
    const seen = new Set(ids);
    let position = (await this.reads.getCheckpoint(offerDirectoryName)) ?? 0;
    for (;;) {
      const batch = await this.events.readAll({ fromPosition: position, maxCount: 2500 });
      if (batch.length === 0) break;
      for (const recorded of batch) {
        const event = recorded.type === 'OfferCreated' ? ledgerEventOf(recorded) : null;
        if (event?.type !== 'OfferCreated' || event.data.publisherId !== publisherId || seen.has(event.data.offerId))
          continue;
        seen.add(event.data.offerId);
        ids.push(event.data.offerId);
      }
      position = batch.at(-1)!.position;
    }
    return ids;
  }

  /** Which publisher created an offer (deleted ones included); null for an offer that never existed. */
  async publisherOf(offerId: string): Promise<string | null> {
    const doc = await this.reads.get<OfferDirectoryDoc>(OFFER_DIRECTORY, offerId);
    if (doc) return doc.publisherId;
    // not projected yet: the offer's first event names it
    const [first] = await this.events.readStream(offerStream(offerId), { maxCount: 1 });
    const created = first && ledgerEventOf(first);
    return created?.type === 'OfferCreated' ? created.data.publisherId : null;
  }
}
