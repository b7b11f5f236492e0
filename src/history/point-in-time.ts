import { ValidationError } from '../errors.js';
import type { LiveOfferState } from '../events/offer/offer.events.js';
import type { PersonalDataCodec } from '../privacy/personal-data-codec.js';
import { supportContactView, type OfferView } from '../projections/offer/offer.queries.js';
import { publisherView, type PublisherView } from '../projections/publisher/publisher.queries.js';
import type { StreamStates } from './stream-states.js';
import { offerAggregate, publisherAggregate, type SealedOfferState, type SealedPublisherState } from './subjects.js';

/** An ISO-8601 date-time with a zone, as the log stores instants (UTC, milliseconds). */
export function parseInstant(field: string, value: string): string {
  const text = value.trim();
  const date = new Date(text);
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(text) ||
    Number.isNaN(date.getTime())
  ) {
    throw new ValidationError(field, 'must be an ISO-8601 date-time with a time zone, e.g. 2026-11-22T10:00:00Z');
  }
  return date.toISOString();
}

/**
 * Records as they stood at a past instant, folded from their streams (not
 * read from the read models, which only know the present). Null before the
 * first event, and for an offer once deleted, as the present-day queries.
 */
export class PointInTime {
  constructor(
    private readonly states: StreamStates,
    private readonly personalData: PersonalDataCodec,
  ) {}

  async publisher(id: string, instant: string): Promise<PublisherView | null> {
    const { state, revision } = await this.states.stateAt<SealedPublisherState>(
      publisherAggregate,
      publisherAggregate.streamOf(id),
      { instant },
    );
    if (state.status !== 'registered') return null;
    return publisherView(await this.personalData.open(state), revision + 1);
  }

  async offer(id: string, instant: string): Promise<OfferView | null> {
    const { state, revision } = await this.states.stateAt<SealedOfferState>(
      offerAggregate,
      offerAggregate.streamOf(id),
      { instant },
    );
    if (state.status !== 'DRAFT' && state.status !== 'PUBLISHED') return null;
    return offerView(await this.personalData.open(state), revision + 1);
  }
}

export function offerView(state: LiveOfferState<unknown>, version: number): OfferView {
  return {
    id: state.id,
    publisherId: state.publisherId,
    name: state.name,
    kind: state.kind,
    status: state.status,
    supportContacts: state.supportContacts.map((contact) => supportContactView({ ...contact })),
    version,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    publishedAt: state.publishedAt,
  };
}
