import { assertNever } from '../../assert-never.js';
import { IdTakenError, IllegalStateError, NotFoundError } from '../../errors.js';
import type { Decider } from '../decider.js';
import { offerSupportSubject } from '../../privacy/data-subjects.js';
import { keyIdsFor, type ErasureScope, type KeyIdsBySubject } from '../erasure/erasure.events.js';
import {
  evolveOffer,
  initialOfferState,
  supportContactFields,
  type OfferEvent,
  type OfferKind,
  type OfferState,
  type SupportContact,
} from './offer.events.js';

/**
 * The offer's commands and the pure `decide`. Commands arrive validated and
 * normalised (see offer.validation.ts) and carry their instant; facts about
 * other aggregates (is the publisher approved?) are looked up by the caller.
 */
export type CreateOffer = {
  type: 'CreateOffer';
  data: { offerId: string; publisherId: string; name: string; kind: OfferKind; now: string };
};

/** Replaces the whole list of customer-service contacts. */
export type UpdateOfferCustomerService = {
  type: 'UpdateOfferCustomerService';
  data: { offerId: string; supportContacts: SupportContact[]; now: string };
};

export type PublishOffer = {
  type: 'PublishOffer';
  data: { offerId: string; publisherApproved: boolean; now: string };
};

export type DeleteOffer = { type: 'DeleteOffer'; data: { offerId: string; now: string } };

/** Erases the offer's customer-service contacts (deleted offers included); `account` also withdraws the offer. */
export type EraseOfferSupport = {
  type: 'EraseOfferSupport';
  /** `keyIds`: the stream's live key ids by subject, which the erasure records */
  data: { offerId: string; scope: ErasureScope; keyIds?: KeyIdsBySubject; now: string };
};

export type OfferCommand = CreateOffer | UpdateOfferCustomerService | PublishOffer | DeleteOffer | EraseOfferSupport;

export function decideOffer(command: OfferCommand, state: OfferState): OfferEvent[] {
  if (command.type === 'CreateOffer') {
    if (state.status !== 'none')
      throw new IdTakenError(
        'is already used by an offer',
        `offer ${command.data.offerId} already exists`,
        state.publisherId,
      );
    const { now, ...data } = command.data;
    return [{ type: 'OfferCreated', data: { ...data, createdAt: now } }];
  }
  if (command.type === 'EraseOfferSupport') return decideErasure(command.data, state);
  // A deleted offer disappears: it is as not found as one never created.
  if (state.status !== 'DRAFT' && state.status !== 'PUBLISHED') {
    throw new NotFoundError('offer', command.data.offerId);
  }
  const offerId = state.id;
  const publisherId = state.publisherId;
  switch (command.type) {
    case 'UpdateOfferCustomerService': {
      const { supportContacts, now } = command.data;
      if (sameContacts(state.supportContacts, supportContacts)) return [];
      if (state.status === 'PUBLISHED' && supportContacts.length === 0) {
        throw new IllegalStateError(
          'supportContacts',
          'must keep at least one contact while the offer is published',
          'a published offer must keep at least one customer-service contact',
        );
      }
      return [
        {
          type: 'OfferCustomerServiceUpdated',
          data: {
            offerId,
            publisherId,
            supportContacts: supportContacts.map((contact) => ({ ...contact })),
            updatedAt: now,
          },
        },
      ];
    }
    case 'PublishOffer':
      if (state.status === 'PUBLISHED') return [];
      if (!command.data.publisherApproved) {
        throw new IllegalStateError(
          'id',
          'belongs to a publisher that is not approved: it must be approved before publishing',
          'the publisher must be approved before publishing',
        );
      }
      if (state.supportContacts.length === 0) {
        throw new IllegalStateError(
          'supportContacts',
          'must have at least one contact before publishing',
          'an offer needs at least one customer-service contact to be published',
        );
      }
      return [{ type: 'OfferPublished', data: { offerId, publisherId, publishedAt: command.data.now } }];
    case 'DeleteOffer':
      return [{ type: 'OfferDeleted', data: { offerId, publisherId, deletedAt: command.data.now } }];
    default:
      return assertNever(command);
  }
}

/** Nothing when already done (erased, and withdrawn if the account closes): a retry only destroys the key again. */
function decideErasure({ offerId, scope, keyIds, now }: EraseOfferSupport['data'], state: OfferState): OfferEvent[] {
  if (state.status === 'none') throw new NotFoundError('offer', offerId);
  if (state.supportErased && (scope === 'subject' || state.status === 'DELETED')) return [];
  const erased = {
    offerId,
    publisherId: state.publisherId,
    subject: { kind: 'offerSupport' as const },
    scope,
    erasedAt: now,
  };
  return [{ type: 'PersonalDataErased', data: { ...erased, ...keyIdsFor(keyIds, offerSupportSubject(offerId)) } }];
}

/** Same contacts in the same order, field by field (an absent field equals an absent field). */
function sameContacts(current: readonly SupportContact[], next: readonly SupportContact[]): boolean {
  return (
    current.length === next.length &&
    current.every((contact, index) => {
      const other = next[index];
      return other !== undefined && supportContactFields.every((key) => contact[key] === other[key]);
    })
  );
}

export const offerDecider: Decider<OfferCommand, OfferEvent, OfferState> = {
  initialState: initialOfferState,
  decide: decideOffer,
  evolve: evolveOffer,
  gone: (state) => (state.status === 'DELETED' ? new NotFoundError('offer', state.id) : undefined),
};
