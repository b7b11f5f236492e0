import { assertNever } from '../../assert-never.js';
import type { DataCategory } from '../../privacy/data-category.js';
import type { DomainEvent } from '../decider.js';

/**
 * Access grants: a staff member (an operator) reads a publisher's personal
 * values only while a grant lets them, as the privacy statement promises
 * ("when necessary to troubleshoot customer support incidents ... terminate
 * the access when the issue is resolved"). Every grant of a publisher, and
 * every read under one, is an event of the stream `access-grants-<id>`, so
 * an auditor replays them like any other change and the publisher's members
 * see them. No personal value is in these events: the grantee, approver and
 * revoker are actor references (pseudonymous, as in every event's metadata).
 */
export const accessGrantStream = (publisherId: string): string => `access-grants-${publisherId}`;

/** What a grant lets its grantee read, and why, and when. */
export type GrantTerms = {
  grantId: string;
  publisherId: string;
  /** when set, only this offer's values (its customer-service contacts) */
  offerId?: string;
  categories: DataCategory[];
  reason: string;
  /** the support ticket or incident it serves */
  ticket: string;
  /** the staff member's actor reference: who may read under it */
  grantee: string;
  startsAt: string;
  endsAt: string;
  /** break glass: active at once without approval, short, flagged for auditors */
  emergency: boolean;
  /** whether a second operator must approve it before it is active */
  needsApproval: boolean;
};

export type AccessGrantRequested = DomainEvent<'AccessGrantRequested', GrantTerms & { requestedAt: string }>;
export type AccessGrantApproved = DomainEvent<
  'AccessGrantApproved',
  { grantId: string; publisherId: string; approvedBy: string; approvedAt: string }
>;
export type AccessGrantRevoked = DomainEvent<
  'AccessGrantRevoked',
  { grantId: string; publisherId: string; revokedBy: string; revokedAt: string; reason: string }
>;
/** A read of personal values under a grant (recorded once per window, as every view: src/events/privacy-request/read-recorder.ts). */
export type AccessGrantUsed = DomainEvent<
  'AccessGrantUsed',
  { grantId: string; publisherId: string; target: string; category: DataCategory; emergency: boolean; usedAt: string }
>;

/**
 * In the stream of the publisher an erased account belonged to, appended by
 * the erasure just before it forgets the account's person
 * (src/privacy/account-actors.ts): the person references it forgets, and the
 * log position after which a grant they requested while it ran may lie. A
 * crash between the forgetting and the erasure's last read of the log leaves
 * this as the only way back to those grants: the retry, or the next start,
 * reads it and revokes them (see GranteesForgotten in docs/privacy.md, Actors).
 * A reference is pseudonymous (random, and nothing leads back from it once
 * forgotten) and already names the person's own actions and grants in the
 * log; this names no account and no object id.
 */
export type GranteesForgotten = DomainEvent<
  'GranteesForgotten',
  { publisherId: string; grantees: string[]; requestedAfter: number; forgottenAt: string }
>;

export type AccessGrantEvent =
  AccessGrantRequested | AccessGrantApproved | AccessGrantRevoked | AccessGrantUsed | GranteesForgotten;

export type GrantState = GrantTerms & {
  requestedAt: string;
  approvedBy?: string;
  approvedAt?: string;
  revokedAt?: string;
  revokedBy?: string;
  revokeReason?: string;
};

/** The grants of one publisher, by id. */
export interface AccessGrantsState {
  grants: ReadonlyMap<string, GrantState>;
  /** the references forgotten by erasures of the publisher's accounts (GranteesForgotten), and the earliest position to look for their grants from */
  forgotten?: { grantees: ReadonlySet<string>; requestedAfter: number };
}

/** Where a grant stands at an instant; only ACTIVE lets its grantee read. */
export const grantStatuses = ['AWAITING_APPROVAL', 'SCHEDULED', 'ACTIVE', 'EXPIRED', 'REVOKED'] as const;
export type GrantStatus = (typeof grantStatuses)[number];

/** The status at `now` (ISO-8601 instants compare as text). */
export function grantStatus(
  grant: Pick<GrantState, 'needsApproval' | 'approvedBy' | 'revokedAt' | 'startsAt' | 'endsAt'>,
  now: string,
): GrantStatus {
  if (grant.revokedAt !== undefined) return 'REVOKED';
  if (now >= grant.endsAt) return 'EXPIRED';
  if (grant.needsApproval && grant.approvedBy === undefined) return 'AWAITING_APPROVAL';
  if (now < grant.startsAt) return 'SCHEDULED';
  return 'ACTIVE';
}

/** Whether a grant's terms cover a read of `category` of the publisher (of `offerId`, when the value is an offer's). */
export function covers(
  grant: Pick<GrantTerms, 'categories' | 'offerId'>,
  category: DataCategory,
  offerId: string | undefined,
): boolean {
  if (!grant.categories.includes(category)) return false;
  return grant.offerId === undefined || grant.offerId === offerId;
}

export const initialAccessGrants: AccessGrantsState = { grants: new Map() };

export function evolveAccessGrants(state: AccessGrantsState, event: AccessGrantEvent): AccessGrantsState {
  const change = (grantId: string, update: (grant: GrantState) => GrantState): AccessGrantsState => {
    const grant = state.grants.get(grantId);
    if (!grant) return state;
    return { ...state, grants: new Map(state.grants).set(grantId, update(grant)) };
  };
  switch (event.type) {
    case 'AccessGrantRequested':
      return { ...state, grants: new Map(state.grants).set(event.data.grantId, { ...event.data }) };
    case 'AccessGrantApproved':
      return change(event.data.grantId, (grant) => ({
        ...grant,
        approvedBy: event.data.approvedBy,
        approvedAt: event.data.approvedAt,
      }));
    case 'AccessGrantRevoked':
      return change(event.data.grantId, (grant) => ({
        ...grant,
        revokedAt: event.data.revokedAt,
        revokedBy: event.data.revokedBy,
        revokeReason: event.data.reason,
      }));
    case 'AccessGrantUsed':
      return state;
    case 'GranteesForgotten': {
      const { grantees, requestedAfter } = event.data;
      const { forgotten } = state;
      return {
        ...state,
        forgotten: {
          grantees: new Set([...(forgotten?.grantees ?? []), ...grantees]),
          requestedAfter: Math.min(forgotten?.requestedAfter ?? requestedAfter, requestedAfter),
        },
      };
    }
    default:
      return assertNever(event);
  }
}
