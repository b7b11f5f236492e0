import { assertNever } from '../../assert-never.js';
import { IllegalStateError, NotFoundError, ValidationError } from '../../errors.js';
import type { DataCategory } from '../../privacy/classification.js';
import type { Decider } from '../decider.js';
import {
  covers,
  evolveAccessGrants,
  grantStatus,
  initialAccessGrants,
  type AccessGrantEvent,
  type AccessGrantsState,
  type GrantState,
  type GrantStatus,
  type GrantTerms,
} from './access-grant.events.js';

/** The settings a grant is judged by (src/server/settings.ts), carried by the command so that decide stays pure. */
export interface GrantPolicy {
  /** longest ordinary grant */
  maxMinutes: number;
  /** longest emergency (break-glass) grant */
  emergencyMinutes: number;
  /** whether an ordinary grant needs a second operator's approval */
  approvalRequired: boolean;
}

export type AccessGrantCommand =
  | { type: 'RequestAccessGrant'; data: Omit<GrantTerms, 'needsApproval'> & { now: string; policy: GrantPolicy } }
  | { type: 'ApproveAccessGrant'; data: { grantId: string; approver: string; now: string } }
  | { type: 'RevokeAccessGrant'; data: { grantId: string; revoker: string; reason: string; now: string } }
  /** every grant of these grantees that has not ended (awaiting approval, scheduled, active); none left: no event */
  | { type: 'RevokeGranteeGrants'; data: { grantees: string[]; revoker: string; reason: string; now: string } }
  | {
      type: 'NoteForgottenGrantees';
      data: { publisherId: string; grantees: string[]; requestedAfter: number; now: string };
    }
  | {
      type: 'RecordGrantedRead';
      data: { grantId: string; reader: string; target: string; category: DataCategory; offerId?: string; now: string };
    };

const MINUTE_MS = 60_000;
const ENDED: ReadonlySet<GrantStatus> = new Set(['REVOKED', 'EXPIRED']);

export const accessGrantDecider: Decider<AccessGrantCommand, AccessGrantEvent, AccessGrantsState> = {
  initialState: initialAccessGrants,
  evolve: evolveAccessGrants,
  decide(command, state) {
    switch (command.type) {
      case 'RequestAccessGrant':
        return [requested(command.data, state)];
      case 'ApproveAccessGrant': {
        const { grantId, approver, now } = command.data;
        const grant = existing(state, grantId);
        if (!grant.needsApproval) throw new IllegalStateError('grantId', 'needs no approval');
        if (grant.approvedBy !== undefined) throw new IllegalStateError('grantId', 'is already approved');
        refuseEnded(grant, now);
        if (approver === grant.grantee)
          throw new IllegalStateError('grantId', 'must be approved by another operator than its requester');
        return [
          {
            type: 'AccessGrantApproved',
            data: { grantId, publisherId: grant.publisherId, approvedBy: approver, approvedAt: now },
          },
        ];
      }
      case 'RevokeAccessGrant': {
        const { grantId, revoker, reason, now } = command.data;
        const grant = existing(state, grantId);
        refuseEnded(grant, now);
        return [
          {
            type: 'AccessGrantRevoked',
            data: { grantId, publisherId: grant.publisherId, revokedBy: revoker, revokedAt: now, reason },
          },
        ];
      }
      case 'RevokeGranteeGrants': {
        const { grantees, revoker, reason, now } = command.data;
        return [...state.grants.values()]
          .filter((grant) => grantees.includes(grant.grantee) && !ENDED.has(grantStatus(grant, now)))
          .map((grant) => ({
            type: 'AccessGrantRevoked' as const,
            data: {
              grantId: grant.grantId,
              publisherId: grant.publisherId,
              revokedBy: revoker,
              revokedAt: now,
              reason,
            },
          }));
      }
      case 'NoteForgottenGrantees': {
        // noted already (a retried erasure): nothing more to record
        const { publisherId, grantees, requestedAfter, now } = command.data;
        const { forgotten } = state;
        const noted =
          forgotten !== undefined &&
          forgotten.requestedAfter <= requestedAfter &&
          grantees.every((grantee) => forgotten.grantees.has(grantee));
        if (noted || grantees.length === 0) return [];
        return [{ type: 'GranteesForgotten', data: { publisherId, grantees, requestedAfter, forgottenAt: now } }];
      }
      case 'RecordGrantedRead': {
        const { grantId, reader, target, category, offerId, now } = command.data;
        const grant = existing(state, grantId);
        if (reader !== grant.grantee) throw new IllegalStateError('grantId', 'was granted to another staff member');
        const status = grantStatus(grant, now);
        if (status !== 'ACTIVE')
          throw new IllegalStateError('grantId', `is ${status.toLowerCase().replace('_', ' ')}, not active`);
        if (!covers(grant, category, offerId))
          throw new IllegalStateError('grantId', `does not cover this ${category} data`);
        const used = {
          grantId,
          publisherId: grant.publisherId,
          target,
          category,
          emergency: grant.emergency,
          usedAt: now,
        };
        return [{ type: 'AccessGrantUsed', data: used }];
      }
      default:
        return assertNever(command);
    }
  },
};

function requested(
  data: Extract<AccessGrantCommand, { type: 'RequestAccessGrant' }>['data'],
  state: AccessGrantsState,
): AccessGrantEvent {
  const { now, policy, ...terms } = data;
  if (state.grants.has(terms.grantId)) throw new IllegalStateError('grantId', 'is already taken');
  if (terms.categories.length === 0) throw new ValidationError('categories', 'must name at least one data category');
  const starts = Date.parse(terms.startsAt);
  const ends = Date.parse(terms.endsAt);
  if (ends <= starts) throw new ValidationError('endsAt', 'must be after startsAt');
  if (terms.endsAt <= now) throw new ValidationError('endsAt', 'must be in the future');
  if (terms.emergency && terms.startsAt !== now)
    throw new ValidationError('startsAt', 'of an emergency access must be now');
  const longest = terms.emergency ? policy.emergencyMinutes : policy.maxMinutes;
  if (ends - starts > longest * MINUTE_MS) {
    throw new ValidationError(
      'endsAt',
      `must be at most ${longest} minutes after startsAt${terms.emergency ? ' for an emergency access' : ''}`,
    );
  }
  const needsApproval = policy.approvalRequired && !terms.emergency;
  return { type: 'AccessGrantRequested', data: { ...terms, needsApproval, requestedAt: now } };
}

function existing(state: AccessGrantsState, grantId: string): GrantState {
  const grant = state.grants.get(grantId);
  if (!grant) throw new NotFoundError('access grant', grantId);
  return grant;
}

/** A grant that has ended (revoked, expired) takes no approval and no second revocation. */
function refuseEnded(grant: GrantState, now: string): void {
  const status = grantStatus(grant, now);
  if (status === 'REVOKED') throw new IllegalStateError('grantId', 'is already revoked');
  if (status === 'EXPIRED') throw new IllegalStateError('grantId', 'has already expired');
}
