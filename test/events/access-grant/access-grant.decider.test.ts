import { describe, it } from 'vitest';
import { IllegalStateError, NotFoundError, ValidationError } from '../../../src/errors.js';
import {
  accessGrantDecider,
  type AccessGrantCommand,
  type GrantPolicy,
} from '../../../src/events/access-grant/access-grant.commands.js';
import type { AccessGrantEvent } from '../../../src/events/access-grant/access-grant.events.js';
import { deciderSpec } from '../decider-spec.js';

const spec = deciderSpec(accessGrantDecider);
const publisherId = 'p-1';
const grantId = 'g-1';
const alice = 'actor-alice';
const bob = 'actor-bob';
const now = '2026-12-06T10:00:00.000Z';
const inOneHour = '2026-12-06T11:00:00.000Z';
const later = '2026-12-06T10:30:00.000Z';
const afterExpiry = '2026-12-06T11:00:00.000Z';
const policy: GrantPolicy = { maxMinutes: 480, emergencyMinutes: 60, approvalRequired: false };

const terms = {
  grantId,
  publisherId,
  categories: ['administrator' as const],
  reason: 'ticket says the contact email bounces',
  ticket: 'INC-42',
  grantee: alice,
};
const request = (
  overrides: Partial<Extract<AccessGrantCommand, { type: 'RequestAccessGrant' }>['data']> = {},
): AccessGrantCommand => ({
  type: 'RequestAccessGrant',
  data: { ...terms, startsAt: now, endsAt: inOneHour, emergency: false, now, policy, ...overrides },
});
const requested = (needsApproval = false, emergency = false): AccessGrantEvent => ({
  type: 'AccessGrantRequested',
  data: { ...terms, startsAt: now, endsAt: inOneHour, emergency, needsApproval, requestedAt: now },
});
const approved: AccessGrantEvent = {
  type: 'AccessGrantApproved',
  data: { grantId, publisherId, approvedBy: bob, approvedAt: now },
};
const revoked: AccessGrantEvent = {
  type: 'AccessGrantRevoked',
  data: { grantId, publisherId, revokedBy: bob, revokedAt: later, reason: 'resolved' },
};
const read = (
  at: string,
  reader = alice,
  category: 'administrator' | 'customer' = 'administrator',
): AccessGrantCommand => ({
  type: 'RecordGrantedRead',
  data: { grantId, reader, target: 'contact', category, now: at },
});

describe('access grant decider', () => {
  it('a grant within the longest duration is requested, active without approval when the setting is off', () => {
    spec.given([]).when(request()).then([requested()]);
  });

  it('a grant longer than the setting allows is refused', () => {
    spec
      .given([])
      .when(request({ endsAt: '2026-12-06T18:00:00.001Z' }))
      .thenThrows(ValidationError, /endsAt: must be at most 480 minutes/);
  });

  it('a grant that ends before it starts, or already ended, is refused', () => {
    spec
      .given([])
      .when(request({ endsAt: now }))
      .thenThrows(ValidationError, /endsAt: must be after startsAt/);
    spec
      .given([])
      .when(request({ startsAt: '2026-12-06T08:00:00.000Z', endsAt: '2026-12-06T09:00:00.000Z' }))
      .thenThrows(ValidationError, /endsAt: must be in the future/);
  });

  it('a grant without data categories is refused', () => {
    spec
      .given([])
      .when(request({ categories: [] }))
      .thenThrows(ValidationError, /categories/);
  });

  it('an emergency access longer than the emergency setting is refused, and one within it needs no approval', () => {
    spec
      .given([])
      .when(request({ emergency: true, endsAt: '2026-12-06T11:00:00.001Z' }))
      .thenThrows(ValidationError, /60 minutes .*emergency/);
    spec
      .given([])
      .when(request({ emergency: true, policy: { ...policy, approvalRequired: true } }))
      .then([requested(false, true)]);
  });

  it('an emergency access starts now, never later', () => {
    spec
      .given([])
      .when(request({ emergency: true, startsAt: later, endsAt: inOneHour }))
      .thenThrows(ValidationError, /startsAt/);
  });

  it('with approval on, a grant awaits a second operator', () => {
    spec
      .given([])
      .when(request({ policy: { ...policy, approvalRequired: true } }))
      .then([requested(true)]);
    spec
      .given([requested(true)])
      .when({ type: 'ApproveAccessGrant', data: { grantId, approver: bob, now } })
      .then([approved]);
  });

  it('a grant approved by its own requester is refused', () => {
    spec
      .given([requested(true)])
      .when({ type: 'ApproveAccessGrant', data: { grantId, approver: alice, now } })
      .thenThrows(IllegalStateError, /another operator than its requester/);
  });

  it('approving twice, or a grant that needs no approval, is refused', () => {
    spec
      .given([requested(true), approved])
      .when({ type: 'ApproveAccessGrant', data: { grantId, approver: bob, now } })
      .thenThrows(IllegalStateError, /already approved/);
    spec
      .given([requested()])
      .when({ type: 'ApproveAccessGrant', data: { grantId, approver: bob, now } })
      .thenThrows(IllegalStateError, /needs no approval/);
  });

  it('a read under an active grant is recorded against it', () => {
    spec
      .given([requested()])
      .when(read(later))
      .then([
        {
          type: 'AccessGrantUsed',
          data: { grantId, publisherId, target: 'contact', category: 'administrator', emergency: false, usedAt: later },
        },
      ]);
  });

  it('reading after expiry is refused', () => {
    spec
      .given([requested()])
      .when(read(afterExpiry))
      .thenThrows(IllegalStateError, /is expired, not active/);
  });

  it('reading after revocation is refused', () => {
    spec
      .given([requested(), revoked])
      .when(read(later))
      .thenThrows(IllegalStateError, /is revoked, not active/);
  });

  it('reading before approval is refused', () => {
    spec
      .given([requested(true)])
      .when(read(later))
      .thenThrows(IllegalStateError, /awaiting approval/);
  });

  it("reading under another staff member's grant, or a category it does not cover, is refused", () => {
    spec
      .given([requested()])
      .when(read(later, bob))
      .thenThrows(IllegalStateError, /another staff member/);
    spec
      .given([requested()])
      .when(read(later, alice, 'customer'))
      .thenThrows(IllegalStateError, /does not cover/);
  });

  it('revoking twice is refused', () => {
    spec
      .given([requested(), revoked])
      .when({ type: 'RevokeAccessGrant', data: { grantId, revoker: bob, reason: 'again', now: later } })
      .thenThrows(IllegalStateError, /already revoked/);
  });

  it('revoking an expired grant is refused, and so is an unknown one', () => {
    spec
      .given([requested()])
      .when({ type: 'RevokeAccessGrant', data: { grantId, revoker: bob, reason: 'late', now: afterExpiry } })
      .thenThrows(IllegalStateError, /already expired/);
    spec
      .given([])
      .when({ type: 'RevokeAccessGrant', data: { grantId, revoker: bob, reason: 'x', now } })
      .thenThrows(NotFoundError);
  });

  it('a grant may be revoked by its own grantee (the issue is resolved)', () => {
    spec
      .given([requested()])
      .when({ type: 'RevokeAccessGrant', data: { grantId, revoker: alice, reason: 'resolved', now: later } })
      .then([
        {
          type: 'AccessGrantRevoked',
          data: { grantId, publisherId, revokedBy: alice, revokedAt: later, reason: 'resolved' },
        },
      ]);
  });

  it("a forgotten grantee's grants that have not ended are revoked, once; others' and ended ones are left", () => {
    const forgotten = (at: string): AccessGrantCommand => ({
      type: 'RevokeGranteeGrants',
      data: { grantees: [alice], revoker: 'erasure', reason: 'forgotten', now: at },
    });
    const bobs: AccessGrantEvent = {
      type: 'AccessGrantRequested',
      data: {
        ...terms,
        grantId: 'g-2',
        grantee: bob,
        startsAt: now,
        endsAt: inOneHour,
        emergency: false,
        needsApproval: true,
        requestedAt: now,
      },
    };
    const byErasure: AccessGrantEvent = {
      type: 'AccessGrantRevoked',
      data: { grantId, publisherId, revokedBy: 'erasure', revokedAt: later, reason: 'forgotten' },
    };
    spec
      .given([requested(true), bobs])
      .when(forgotten(later))
      .then([byErasure]);
    spec.given([requested(), bobs, byErasure]).when(forgotten(later)).then([]);
    spec.given([requested()]).when(forgotten(afterExpiry)).then([]);
    spec.given([requested(), revoked]).when(forgotten(later)).then([]);
  });

  it("an erasure's note of the references it forgets is recorded once: a retry noting them again appends nothing", () => {
    const note = (grantees: string[], requestedAfter: number): AccessGrantCommand => ({
      type: 'NoteForgottenGrantees',
      data: { publisherId, grantees, requestedAfter, now },
    });
    const noted = (grantees: string[], requestedAfter: number): AccessGrantEvent => ({
      type: 'GranteesForgotten',
      data: { publisherId, grantees, requestedAfter, forgottenAt: now },
    });
    spec
      .given([])
      .when(note([alice], 7))
      .then([noted([alice], 7)]);
    spec
      .given([noted([alice], 7)])
      .when(note([alice], 9))
      .then([]);
    // a reference not noted yet, or an earlier position, is noted again
    spec
      .given([noted([alice], 7)])
      .when(note([alice, bob], 9))
      .then([noted([alice, bob], 9)]);
    spec
      .given([noted([alice], 7)])
      .when(note([alice], 3))
      .then([noted([alice], 3)]);
  });
});
