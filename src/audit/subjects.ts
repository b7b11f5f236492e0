import { assertNever } from '../assert-never.js';
import type { DomainEvent } from '../events/decider.js';
import { evolveOffer, initialOfferState, offerStream, type OfferEvent, type OfferState } from '../events/offer/offer.events.js';
import {
  evolvePublisher,
  initialPublisherState,
  publisherStream,
  type PublisherEvent,
  type PublisherState,
} from '../events/publisher/publisher.events.js';

/** What an auditor can ask the history of: a publisher or an offer, by id. */
export type SubjectKind = 'publisher' | 'offer';

export interface AuditSubject {
  kind: SubjectKind;
  id: string;
}

/**
 * An aggregate as the audit reads it: its stream, its deciders' fold, and
 * which state keys are bookkeeping rather than recorded fields (left out of
 * history diffs).
 */
export interface AuditedAggregate<State> {
  streamOf(id: string): string;
  initialState: State;
  evolve(state: State, event: DomainEvent): State;
  /** whether the record exists in this state (before its first event, or once deleted, it does not) */
  exists(state: State): boolean;
  /** top-level state keys that are not fields of the record */
  bookkeeping: ReadonlySet<string>;
}

export const publisherAggregate: AuditedAggregate<PublisherState> = {
  streamOf: publisherStream,
  initialState: initialPublisherState,
  evolve: (state, event) => evolvePublisher(state, event as PublisherEvent),
  exists: (state) => state.status === 'registered',
  bookkeeping: new Set(['status', 'updatedAt', 'erasure']),
};

export const offerAggregate: AuditedAggregate<OfferState> = {
  streamOf: offerStream,
  initialState: initialOfferState,
  evolve: (state, event) => evolveOffer(state, event as OfferEvent),
  exists: (state) => state.status === 'draft' || state.status === 'published',
  bookkeeping: new Set(['updatedAt', 'supportErased']),
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
