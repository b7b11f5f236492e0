import { assertNever } from '../../assert-never.js';
import type { DomainEvent } from '../decider.js';
import type { OfferPersonalDataErased } from '../erasure/erasure.events.js';

/** The offer aggregate: its events, its state and how events fold into it. */

export const offerStream = (offerId: string): string => `offer-${offerId}`;

export const offerKinds = ['VIRTUAL_MACHINE', 'SOLUTION_TEMPLATE', 'CUSTOMIZED_SERVICE'] as const;
export type OfferKind = (typeof offerKinds)[number];

/**
 * A customer-service contact of an offer. Every field is personal data
 * (customer data category). Absent fields are left out, never empty; at
 * least one of telephone, email, qq, wechat, weibo is present.
 */
export interface SupportContact<P = string> {
  name?: P;
  /** E.164 */
  telephone?: P;
  /** trimmed, lower-cased */
  email?: P;
  qq?: P;
  wechat?: P;
  weibo?: P;
}

export const supportContactFields = [
  'name',
  'telephone',
  'email',
  'qq',
  'wechat',
  'weibo',
] as const satisfies readonly (keyof SupportContact)[];

export type OfferCreated = DomainEvent<
  'OfferCreated',
  { offerId: string; publisherId: string; name: string; kind: OfferKind; createdAt: string }
>;

/** Carries the full new list of contacts. */
export type OfferCustomerServiceUpdated<P = string> = DomainEvent<
  'OfferCustomerServiceUpdated',
  { offerId: string; publisherId: string; supportContacts: SupportContact<P>[]; updatedAt: string }
>;

export type OfferPublished = DomainEvent<
  'OfferPublished',
  { offerId: string; publisherId: string; publishedAt: string }
>;

/** The offer disappears, and its support details with it. */
export type OfferDeleted = DomainEvent<'OfferDeleted', { offerId: string; publisherId: string; deletedAt: string }>;

/** `P`: how personal values are held, as in publisher.events.ts. */
export type OfferEvent<P = string> =
  OfferCreated | OfferCustomerServiceUpdated<P> | OfferPublished | OfferDeleted | OfferPersonalDataErased;

/** The API's values (OfferStatus), and DELETED as analytics counts it. */
export const offerStatuses = ['DRAFT', 'PUBLISHED', 'DELETED'] as const;
export type OfferStatus = (typeof offerStatuses)[number];

export interface LiveOfferState<P = string> {
  status: Exclude<OfferStatus, 'DELETED'>;
  id: string;
  publisherId: string;
  name: string;
  kind: OfferKind;
  supportContacts: SupportContact<P>[];
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  /** bookkeeping: the contacts' key was destroyed and no contacts were recorded since */
  supportErased: boolean;
}

/** A deleted offer keeps only what identifies it: no support contacts. */
export interface DeletedOfferState {
  status: 'DELETED';
  id: string;
  publisherId: string;
  /** its former contacts stay sealed in the log until erased */
  supportErased: boolean;
  /** the publisher's closure erased its contacts (what a retry of the closure answers) */
  erasedByClosure?: boolean;
}

export type OfferState<P = string> = { status: 'none' } | LiveOfferState<P> | DeletedOfferState;

export const initialOfferState: OfferState<never> = { status: 'none' };

export function evolveOffer<P>(state: OfferState<P>, event: OfferEvent<P>): OfferState<P> {
  if (event.type === 'OfferCreated') {
    const { offerId, publisherId, name, kind, createdAt } = event.data;
    return {
      status: 'DRAFT',
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
    if (state.status === 'DELETED' || event.data.scope === 'account') {
      const byClosure = event.data.scope === 'account' || (state.status === 'DELETED' && state.erasedByClosure);
      return {
        status: 'DELETED',
        id: state.id,
        publisherId: state.publisherId,
        supportErased: true,
        ...(byClosure ? { erasedByClosure: true } : {}),
      };
    }
    return { ...state, supportErased: true, updatedAt: event.data.erasedAt };
  }
  if (state.status !== 'DRAFT' && state.status !== 'PUBLISHED') return state;
  switch (event.type) {
    case 'OfferCustomerServiceUpdated':
      return {
        ...state,
        supportContacts: event.data.supportContacts.map((contact) => ({ ...contact })),
        updatedAt: event.data.updatedAt,
        supportErased: false,
      };
    case 'OfferPublished':
      return { ...state, status: 'PUBLISHED', publishedAt: event.data.publishedAt, updatedAt: event.data.publishedAt };
    case 'OfferDeleted':
      return { status: 'DELETED', id: state.id, publisherId: state.publisherId, supportErased: state.supportErased };
    default:
      return assertNever(event);
  }
}
