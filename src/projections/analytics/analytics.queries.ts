import { offerKinds, offerStatuses, type OfferKind, type OfferStatus } from '../../events/offer/offer.events.js';
import { registrationStatuses, type RegistrationStatus } from '../../events/publisher/publisher.events.js';
import { ValidationError } from '../../errors.js';
import type { ReadStore } from '../store/read-store.js';
import { ANALYTICS_DAYS, ANALYTICS_OFFERS, ANALYTICS_PUBLISHERS, type DayDoc } from './analytics.projection.js';

/** the longest range `changesPerDay` answers, in days */
export const MAX_DAYS = 366;

export interface StatusCount {
  status: RegistrationStatus;
  count: number;
}

export interface KindStatusCount {
  kind: OfferKind;
  status: OfferStatus;
  count: number;
}

export interface DayCount {
  day: string;
  changes: number;
  erasures: number;
  disclosures: number;
  contactLists: number;
  accessGrants: number;
  emergencyAccesses: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MS_PER_DAY = 86_400_000;

/** Counts for analysts, read from the analytics read models (no personal data). */
export class AnalyticsQueries {
  constructor(private readonly store: ReadStore) {}

  /** Every status, zero counts included (the domain's own list, so a status the read model can hold is always listed). */
  async publishersByStatus(): Promise<StatusCount[]> {
    return Promise.all(
      registrationStatuses.map(async (status) => ({
        status,
        count: await this.store.count(ANALYTICS_PUBLISHERS, { status }),
      })),
    );
  }

  /** Every kind and status, zero counts included. */
  async offersByKindAndStatus(): Promise<KindStatusCount[]> {
    const pairs = offerKinds.flatMap((kind) => offerStatuses.map((status) => ({ kind, status })));
    return Promise.all(pairs.map(async (pair) => ({ ...pair, count: await this.store.count(ANALYTICS_OFFERS, pair) })));
  }

  /** Each UTC day from `from` to `to` (inclusive, `YYYY-MM-DD`), days without changes as zeros. */
  async changesPerDay(from: string, to: string): Promise<DayCount[]> {
    const start = parseDay('from', from);
    const end = parseDay('to', to);
    if (end < start) throw new ValidationError('to', 'must not be before from');
    const days = (end - start) / MS_PER_DAY + 1;
    if (days > MAX_DAYS) throw new ValidationError('to', `must be at most ${MAX_DAYS} days after from`);
    const page = await this.store.find<DayDoc>(ANALYTICS_DAYS, { filter: { id: { gte: from, lte: to } }, first: days });
    const counted = new Map(page.items.map((doc) => [doc.id, doc]));
    return Array.from({ length: days }, (_, i) => {
      const day = new Date(start + i * MS_PER_DAY).toISOString().slice(0, 10);
      const doc = counted.get(day);
      return {
        day,
        changes: doc?.changes ?? 0,
        erasures: doc?.erasures ?? 0,
        disclosures: doc?.disclosures ?? 0,
        contactLists: doc?.contactLists ?? 0,
        accessGrants: doc?.accessGrants ?? 0,
        emergencyAccesses: doc?.emergencyAccesses ?? 0,
      };
    });
  }
}

/** A calendar day `YYYY-MM-DD` as its UTC midnight in milliseconds. */
function parseDay(field: string, text: string): number {
  const ms = DAY.test(text) ? Date.parse(`${text}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) {
    throw new ValidationError(field, 'must be a calendar day YYYY-MM-DD');
  }
  return ms;
}
