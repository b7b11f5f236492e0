import { assertNever } from '../../assert-never.js';
import type { DomainEvent } from '../decider.js';
import type { OfferPersonalDataErased } from '../erasure.events.js';

/** The offer aggregate: its events, its state and how events fold into it. */

export const offerStream = (offerId: string): string => `offer-${offerId}`;

export const offerKinds = ['VIRTUAL_MACHINE', 'SOLUTION_TEMPLATE', 'CUSTOMIZED_SERVICE'] as const;
export type OfferKind = (typeof offerKinds)[number];

/**
 * A customer-service contact of an offer. Every field is personal data
 * (customer data category). Absent fields are left out, never empty; at
 * least one of telephone, email, qq, wechat, weibo is present.
 */
export interface SupportContact {
  name?: string;
  /** E.164 */
  telephone?: string;
  /** trimmed, lower-cased */
  email?: string;
  qq?: string;
  wechat?: string;
  weibo?: string;
}

export const supportContactFields = ['name', 'telephone', 'email', 'qq', 'wechat', 'weibo'] as const satisfies readonly (keyof SupportContact)[];

export type OfferCreated = DomainEvent<
  'OfferCreated',
  { offerId: string; publisherId: string; name: string; kind: OfferKind; createdAt: string }
>;

/** Carries the full new list of contacts. */
export type OfferCustomerServiceUpdated = DomainEvent<
  'OfferCustomerServiceUpdated',
  { offerId: string; publisherId: string; supportContacts: SupportContact[]; updatedAt: string }
>;

export type OfferPublished = DomainEvent<'OfferPublished', { offerId: string; publisherId: string; publishedAt: string }>;

/** The offer disappears, and its support details with it. */
export type OfferDeleted = DomainEvent<'OfferDeleted', { offerId: string; publisherId: string; deletedAt: string }>;

export type OfferEvent = OfferCreated | OfferCustomerServiceUpdated | OfferPublished | OfferDeleted | OfferPersonalDataErased;

export interface LiveOfferState {
  status: 'draft' | 'published';
  id: string;
  publisherId: string;
  name: string;
  kind: OfferKind;
  supportContacts: SupportContact[];
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  /** bookkeeping: the contacts' key was destroyed and no contacts were recorded since */
  supportErased: boolean;
}

/** A deleted offer keeps only what identifies it: no support contacts. */
export interface DeletedOfferState {
  status: 'deleted';
  id: string;
  publisherId: string;
  /** its former contacts stay sealed in the log until erased */
  supportErased: boolean;
}

export type OfferState = { status: 'none' } | LiveOfferState | DeletedOfferState;

export const initialOfferState: OfferState = { status: 'none' };

export function evolveOffer(state: OfferState, event: OfferEvent): OfferState {
  if (event.type === 'OfferCreated') {
    const { offerId, publisherId, name, kind, createdAt } = event.data;
    return {
      status: 'draft',
      id: offerId,
      publisherId,
      name,
      kind,
      supportContacts: [],
      createdAt,
      updatedAt: createdAt,
      publishedAt: null,
      supportErased: false,
    };
  }
  if (event.type === 'PersonalDataErased') {
    if (state.status === 'none') return state;
    // Closing the publisher's account withdraws its offers along with their contacts.
    if (state.status === 'deleted' || event.data.scope === 'account') {
      return { status: 'deleted', id: state.id, publisherId: state.publisherId, supportErased: true };
    }
    return { ...state, supportErased: true, updatedAt: event.data.erasedAt };
  }
  if (state.status !== 'draft' && state.status !== 'published') return state;
  switch (event.type) {
    case 'OfferCustomerServiceUpdated':
      return {
        ...state,
        supportContacts: event.data.supportContacts.map((contact) => ({ ...contact })),
        updatedAt: event.data.updatedAt,
        supportErased: false,
      };
    case 'OfferPublished':
      return { ...state, status: 'published', publishedAt: event.data.publishedAt, updatedAt: event.data.publishedAt };
    case 'OfferDeleted':
      return { status: 'deleted', id: state.id, publisherId: state.publisherId, supportErased: state.supportErased };
    default:
      return assertNever(event);
  }
}
