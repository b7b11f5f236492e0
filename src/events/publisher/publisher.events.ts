import { assertNever } from '../../assert-never.js';
import type { DomainEvent } from '../decider.js';
import type { PublisherPersonalDataErased } from '../erasure/erasure.events.js';

/** The publisher aggregate: its events, its state and how events fold into it. */

export const publisherStream = (publisherId: string): string => `publisher-${publisherId}`;

/**
 * `P` is how a personal value is held: in clear (`string`) in commands and
 * the deciders, sealed (`PersonalValue`) in the log and the read models
 * (see src/events/stored-events.ts). Evolve moves them, never reads them, so
 * one fold serves both.
 */
export interface ContactDetails<P = string> {
  name: P;
  /** E.164 */
  telephone: P;
  /** trimmed, lower-cased */
  email: P;
}

/** May the marketplace contact the publisher about offers and feedback, and how. Opt-in: all false by default. */
export interface ContactPreferences {
  aboutOffers: boolean;
  aboutFeedback: boolean;
  byEmail: boolean;
  byPhone: boolean;
}

export const noContact: ContactPreferences = {
  aboutOffers: false,
  aboutFeedback: false,
  byEmail: false,
  byPhone: false,
};

/** CLOSED: the account was closed and its people erased; no change is accepted any more. */
export const registrationStatuses = ['PENDING', 'APPROVED', 'REJECTED', 'CLOSED'] as const;
export type RegistrationStatus = (typeof registrationStatuses)[number];

/** An Azure AD (Entra ID) account with access to the publisher. */
export interface AadUser<P = string> {
  /** server-assigned; the data subject of the account's personal values */
  accountId: string;
  /** the AAD object id (a GUID) */
  objectId: P;
  userPrincipalName: P;
  displayName: P;
  addedAt: string;
  /** actor id of whoever added it (a member's account, a person reference, a service's id; an object id in events before references) */
  addedBy: string;
  /**
   * Events written while members were named by person reference: the
   * person's reference. No longer written or read: the membership read model
   * indexes accounts by their opened object id (src/projections/membership/).
   */
  actorId?: string;
  /**
   * Events before actor references: a blind index of the object id (an
   * HMAC under a secret derived from the master key). No longer written;
   * its secret is destroyed when a ledger opens (ledger-secrets.ts), and a
   * master-key rotation ends the derivation.
   */
  objectIdIndex?: string;
}

export type PublisherRegistered<P = string> = DomainEvent<
  'PublisherRegistered',
  {
    publisherId: string;
    companyName: string;
    /** Unified Social Credit Code of the legal entity */
    registrationCode: string;
    contact: ContactDetails<P>;
    contactPreferences: ContactPreferences;
    registeredAt: string;
    /** whoever registered it becomes its first account */
    firstUser?: AadUser<P>;
  }
>;

/** Carries only the fields that changed. */
export type ContactUpdated<P = string> = DomainEvent<
  'ContactUpdated',
  {
    publisherId: string;
    companyName?: string;
    contact?: Partial<ContactDetails<P>>;
    updatedAt: string;
  }
>;

export type ContactPreferencesChanged = DomainEvent<
  'ContactPreferencesChanged',
  { publisherId: string; contactPreferences: ContactPreferences; changedAt: string }
>;

export type PublisherApproved = DomainEvent<'PublisherApproved', { publisherId: string; approvedAt: string }>;

export type PublisherRejected = DomainEvent<
  'PublisherRejected',
  { publisherId: string; reason: string; rejectedAt: string }
>;

export type AadUserAdded<P = string> = DomainEvent<'AadUserAdded', { publisherId: string; user: AadUser<P> }>;

/** Access is revoked at once: the account is gone from the publisher's list. */
export type AadUserRemoved = DomainEvent<
  'AadUserRemoved',
  { publisherId: string; accountId: string; removedAt: string }
>;

/** Every person of the publisher was erased (events before it in the same append) and the account closed. */
export type PublisherAccountClosed = DomainEvent<'PublisherAccountClosed', { publisherId: string; closedAt: string }>;

export type PublisherEvent<P = string> =
  | PublisherRegistered<P>
  | PublisherPersonalDataErased
  | PublisherAccountClosed
  | AadUserAdded<P>
  | AadUserRemoved
  | ContactUpdated<P>
  | ContactPreferencesChanged
  | PublisherApproved
  | PublisherRejected;

export interface RegisteredPublisherState<P = string> {
  status: 'registered';
  id: string;
  companyName: string;
  registrationCode: string;
  contact: ContactDetails<P>;
  contactPreferences: ContactPreferences;
  aadUsers: AadUser<P>[];
  registrationStatus: RegistrationStatus;
  rejectionReason: string | null;
  registeredAt: string;
  updatedAt: string;
  /** bookkeeping for erasure: which subjects exist and which are erased already */
  erasure: ErasureBookkeeping;
}

export interface ErasureBookkeeping {
  /** every AAD account ever added, removed ones included (their values stay sealed in the log) */
  accountIds: string[];
  /** accounts whose key was destroyed */
  erasedAccountIds: string[];
  /** the contact's key was destroyed and no contact value was recorded since */
  contactErased: boolean;
  /** what the account's closure erased (scope `account`), in its order: what a retry of the closure answers */
  closure?: { contact: boolean; accountIds: string[] };
}

export type PublisherState<P = string> = { status: 'unregistered' } | RegisteredPublisherState<P>;

export const initialPublisherState: PublisherState<never> = { status: 'unregistered' };

export function evolvePublisher<P>(state: PublisherState<P>, event: PublisherEvent<P>): PublisherState<P> {
  if (event.type === 'PublisherRegistered') {
    const { publisherId, companyName, registrationCode, contact, contactPreferences, registeredAt, firstUser } =
      event.data;
    return {
      status: 'registered',
      id: publisherId,
      companyName,
      registrationCode,
      contact: { ...contact },
      contactPreferences: { ...contactPreferences },
      aadUsers: firstUser ? [{ ...firstUser }] : [],
      registrationStatus: 'PENDING',
      rejectionReason: null,
      registeredAt,
      updatedAt: registeredAt,
      erasure: { accountIds: firstUser ? [firstUser.accountId] : [], erasedAccountIds: [], contactErased: false },
    };
  }
  if (state.status !== 'registered') return state;
  switch (event.type) {
    case 'ContactUpdated': {
      const next = {
        ...state,
        companyName: event.data.companyName ?? state.companyName,
        contact: { ...state.contact, ...event.data.contact },
        updatedAt: event.data.updatedAt,
      };
      // replaced in place (no conditional spread: every contact edit folds this)
      if (event.data.contact) next.erasure = { ...state.erasure, contactErased: false };
      return next;
    }
    case 'ContactPreferencesChanged':
      return { ...state, contactPreferences: { ...event.data.contactPreferences }, updatedAt: event.data.changedAt };
    case 'AadUserAdded':
      return {
        ...state,
        aadUsers: [...state.aadUsers, { ...event.data.user }],
        updatedAt: event.data.user.addedAt,
        erasure: { ...state.erasure, accountIds: [...state.erasure.accountIds, event.data.user.accountId] },
      };
    case 'AadUserRemoved':
      return {
        ...state,
        aadUsers: state.aadUsers.filter((user) => user.accountId !== event.data.accountId),
        updatedAt: event.data.removedAt,
      };
    case 'PublisherApproved':
      return { ...state, registrationStatus: 'APPROVED', rejectionReason: null, updatedAt: event.data.approvedAt };
    case 'PublisherRejected':
      return {
        ...state,
        registrationStatus: 'REJECTED',
        rejectionReason: event.data.reason,
        updatedAt: event.data.rejectedAt,
      };
    case 'PersonalDataErased': {
      const { subject, erasedAt, scope } = event.data;
      const erasure: ErasureBookkeeping =
        subject.kind === 'contact'
          ? { ...state.erasure, contactErased: true }
          : { ...state.erasure, erasedAccountIds: [...state.erasure.erasedAccountIds, subject.accountId] };
      if (scope === 'account') {
        const closure = erasure.closure ?? { contact: false, accountIds: [] };
        erasure.closure =
          subject.kind === 'contact'
            ? { ...closure, contact: true }
            : { ...closure, accountIds: [...closure.accountIds, subject.accountId] };
      }
      return { ...state, erasure, updatedAt: erasedAt };
    }
    case 'PublisherAccountClosed':
      return { ...state, registrationStatus: 'CLOSED', rejectionReason: null, updatedAt: event.data.closedAt };
    default:
      return assertNever(event);
  }
}
