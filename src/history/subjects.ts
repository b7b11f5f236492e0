import { assertNever } from '../assert-never.js';
import type { RecordedEvent } from '../events/store/event-envelope.js';
import { asFamilyEvent } from '../events/ledger-events.js';
import { evolveOffer, initialOfferState, offerStream, type OfferState } from '../events/offer/offer.events.js';
import {
  evolvePublisher,
  initialPublisherState,
  publisherStream,
  type PublisherState,
} from '../events/publisher/publisher.events.js';
import type { PersonalValue } from '../privacy/personal-value.js';

/** What an auditor can ask the history of: a publisher or an offer, by id. */
export type SubjectKind = 'publisher' | 'offer';

export interface AuditSubject {
  kind: SubjectKind;
  id: string;
}

/**
 * An aggregate as the audit reads it: its stream, its deciders' fold over
 * the events as stored (personal values sealed), and the record that
 * history shows of a state.
 */
export interface AuditedAggregate<State> {
  streamOf(id: string): string;
  initialState: State;
  /** folds one event of the aggregate's stream, as read from the log */
  evolve(state: State, event: RecordedEvent): State;
  /** the record's fields as the API names them and history diffs them, without bookkeeping; null before its first event */
  record(state: State): object | null;
}

export type SealedPublisherState = PublisherState<PersonalValue>;
export type SealedOfferState = OfferState<PersonalValue>;

/** A registered publisher's fields; its stream's status, last update and erasure bookkeeping are no fields of it. */
export function publisherRecord(state: SealedPublisherState): object | null {
  if (state.status !== 'registered') return null;
  const { status: _status, updatedAt: _updatedAt, erasure: _erasure, ...record } = state;
  return record;
}

/** An offer's fields, `status` as the API spells it; a deleted offer keeps its ids and its status DELETED. */
export function offerRecord(state: SealedOfferState): object | null {
  switch (state.status) {
    case 'none':
      return null;
    case 'DELETED': {
      const { supportErased: _supportErased, ...record } = state;
      return record;
    }
    case 'DRAFT':
    case 'PUBLISHED': {
      const { updatedAt: _updatedAt, supportErased: _supportErased, ...record } = state;
      return record;
    }
    default:
      return assertNever(state);
  }
}

export const publisherAggregate: AuditedAggregate<SealedPublisherState> = {
  streamOf: publisherStream,
  initialState: initialPublisherState,
  evolve: (state, event) => evolvePublisher(state, asFamilyEvent('publisher', event)),
  record: publisherRecord,
};

export const offerAggregate: AuditedAggregate<SealedOfferState> = {
  streamOf: offerStream,
  initialState: initialOfferState,
  evolve: (state, event) => evolveOffer(state, asFamilyEvent('offer', event)),
  record: offerRecord,
};

export function aggregateOf(kind: SubjectKind): AuditedAggregate<unknown> {
  switch (kind) {
    case 'publisher':
      return publisherAggregate as AuditedAggregate<unknown>;
    case 'offer':
      return offerAggregate as AuditedAggregate<unknown>;
    default:
      return assertNever(kind);
  }
}
