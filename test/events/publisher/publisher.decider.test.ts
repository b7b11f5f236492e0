import { describe, expect, it } from 'vitest';
import { IllegalStateError, NotFoundError } from '../../../src/errors.js';
import { publisherDecider } from '../../../src/events/publisher/publisher.commands.js';
import type { PublisherEvent } from '../../../src/events/publisher/publisher.events.js';
import { deciderSpec } from '../decider-spec.js';

const spec = deciderSpec(publisherDecider);
const id = '0190f5a2-7b3c-7d4e-8f60-123456789abc';
const now = '2026-11-22T10:00:00.000Z';
const later = '2026-11-22T11:00:00.000Z';
const contact = { name: 'Li Lei', telephone: '+8613800138000', email: 'li.lei@example.cn' };
const registrationCode = '91350100M000100Y43';
const contactPreferences = { aboutOffers: true, aboutFeedback: false, byEmail: true, byPhone: false };

const registered: PublisherEvent = {
  type: 'PublisherRegistered',
  data: {
    publisherId: id,
    companyName: 'Contoso China',
    registrationCode,
    contact,
    contactPreferences,
    registeredAt: now,
  },
};
const approved: PublisherEvent = { type: 'PublisherApproved', data: { publisherId: id, approvedAt: later } };

describe('publisher decider', () => {
  it('registering a new publisher records PublisherRegistered', () => {
    spec
      .given([])
      .when({
        type: 'RegisterPublisher',
        data: { publisherId: id, companyName: 'Contoso China', registrationCode, contact, contactPreferences, now },
      })
      .then([registered]);
  });

  it('whoever registers a publisher becomes its first account, added at the registration instant', () => {
    const firstUser = {
      accountId: 'acc-1',
      objectId: '11111111-2222-4333-8444-555555555555',
      userPrincipalName: 'li.lei@contoso.cn',
      displayName: 'Li Lei',
      addedBy: 'x',
      objectIdIndex: 'idx',
    };
    spec
      .given([])
      .when({
        type: 'RegisterPublisher',
        data: {
          publisherId: id,
          companyName: 'Contoso China',
          registrationCode,
          contact,
          contactPreferences,
          firstUser,
          now,
        },
      })
      .then([
        { ...registered, data: { ...registered.data, firstUser: { ...firstUser, addedAt: now } } } as PublisherEvent,
      ]);
  });

  it('registering the same publisher twice is refused', () => {
    spec
      .given([registered])
      .when({
        type: 'RegisterPublisher',
        data: { publisherId: id, companyName: 'Other', registrationCode, contact, contactPreferences, now },
      })
      .thenThrows(IllegalStateError, /already registered/);
  });

  it('updating a publisher that was never registered is NOT_FOUND', () => {
    spec
      .given([])
      .when({ type: 'UpdatePublisherContact', data: { publisherId: id, contact: { name: 'Han Meimei' }, now } })
      .thenThrows(NotFoundError);
  });

  it('a contact update records only the fields that changed', () => {
    spec
      .given([registered])
      .when({
        type: 'UpdatePublisherContact',
        data: {
          publisherId: id,
          companyName: 'Contoso China',
          contact: { name: 'Li Lei', email: 'new@example.cn' },
          now: later,
        },
      })
      .then([
        { type: 'ContactUpdated', data: { publisherId: id, contact: { email: 'new@example.cn' }, updatedAt: later } },
      ]);
  });

  it('a company name change is recorded without contact fields', () => {
    spec
      .given([registered])
      .when({
        type: 'UpdatePublisherContact',
        data: { publisherId: id, companyName: 'Fabrikam', contact: {}, now: later },
      })
      .then([{ type: 'ContactUpdated', data: { publisherId: id, companyName: 'Fabrikam', updatedAt: later } }]);
  });

  it('an update that changes nothing records nothing', () => {
    spec
      .given([registered])
      .when({ type: 'UpdatePublisherContact', data: { publisherId: id, contact: { ...contact }, now: later } })
      .then([]);
  });

  it('an update is judged against the state after earlier updates', () => {
    spec
      .given([
        registered,
        { type: 'ContactUpdated', data: { publisherId: id, contact: { email: 'new@example.cn' }, updatedAt: later } },
      ])
      .when({
        type: 'UpdatePublisherContact',
        data: { publisherId: id, contact: { email: 'li.lei@example.cn' }, now: later },
      })
      .then([
        {
          type: 'ContactUpdated',
          data: { publisherId: id, contact: { email: 'li.lei@example.cn' }, updatedAt: later },
        },
      ]);
  });

  it('changing contact preferences records the whole new set', () => {
    const next = { ...contactPreferences, byPhone: true };
    spec
      .given([registered])
      .when({ type: 'UpdateContactPreferences', data: { publisherId: id, contactPreferences: next, now: later } })
      .then([
        { type: 'ContactPreferencesChanged', data: { publisherId: id, contactPreferences: next, changedAt: later } },
      ]);
  });

  it('setting the same contact preferences records nothing', () => {
    spec
      .given([registered])
      .when({
        type: 'UpdateContactPreferences',
        data: { publisherId: id, contactPreferences: { ...contactPreferences }, now: later },
      })
      .then([]);
  });

  it('an operator approves a pending registration', () => {
    spec
      .given([registered])
      .when({ type: 'ApprovePublisher', data: { publisherId: id, now: later } })
      .then([approved]);
  });

  it('approving an approved publisher records nothing', () => {
    spec
      .given([registered, approved])
      .when({ type: 'ApprovePublisher', data: { publisherId: id, now: later } })
      .then([]);
  });

  it('a rejection records its reason, and a rejected publisher can still be approved on review', () => {
    const rejected: PublisherEvent = {
      type: 'PublisherRejected',
      data: { publisherId: id, reason: 'code not found in the registry', rejectedAt: later },
    };
    spec
      .given([registered])
      .when({
        type: 'RejectPublisher',
        data: { publisherId: id, reason: 'code not found in the registry', now: later },
      })
      .then([rejected]);
    spec
      .given([registered, rejected])
      .when({ type: 'ApprovePublisher', data: { publisherId: id, now: later } })
      .then([approved]);
  });

  it('an approved publisher cannot be rejected', () => {
    spec
      .given([registered, approved])
      .when({ type: 'RejectPublisher', data: { publisherId: id, reason: 'late doubts', now: later } })
      .thenThrows(IllegalStateError, /only a pending registration/);
  });

  it('deciding on a publisher that was never registered is NOT_FOUND', () => {
    spec
      .given([])
      .when({ type: 'ApprovePublisher', data: { publisherId: id, now } })
      .thenThrows(NotFoundError);
  });

  describe('AAD accounts', () => {
    const oid1 = '11111111-2222-4333-8444-555555555555';
    const oid2 = '66666666-7777-4888-9999-000000000000';
    const user = (accountId: string, objectId: string) => ({
      accountId,
      objectId,
      userPrincipalName: `${accountId}@contoso.cn`,
      displayName: `User ${accountId}`,
      addedBy: 'operator-1',
    });
    const added = (accountId: string, objectId: string): PublisherEvent => ({
      type: 'AadUserAdded',
      data: { publisherId: id, user: { ...user(accountId, objectId), addedAt: later } },
    });

    it('adding an account records it with when it was added', () => {
      spec
        .given([registered])
        .when({ type: 'AddAadUser', data: { publisherId: id, user: user('a1', oid1), now: later } })
        .then([added('a1', oid1)]);
    });

    it('the same object id twice is refused', () => {
      spec
        .given([registered, added('a1', oid1)])
        .when({ type: 'AddAadUser', data: { publisherId: id, user: user('a2', oid1), now: later } })
        .thenThrows(IllegalStateError, /already has access/);
    });

    it('removing an account revokes it by its account id', () => {
      spec
        .given([registered, added('a1', oid1), added('a2', oid2)])
        .when({ type: 'RemoveAadUser', data: { publisherId: id, objectId: oid1, now: later } })
        .then([{ type: 'AadUserRemoved', data: { publisherId: id, accountId: 'a1', removedAt: later } }]);
    });

    it('removing the last AAD user is refused', () => {
      spec
        .given([registered, added('a1', oid1)])
        .when({ type: 'RemoveAadUser', data: { publisherId: id, objectId: oid1, now: later } })
        .thenThrows(IllegalStateError, /last AAD user/);
    });

    it('removing an account the publisher does not have is NOT_FOUND, without echoing the object id', () => {
      const run = () =>
        publisherDecider.decide(
          { type: 'RemoveAadUser', data: { publisherId: id, objectId: oid2, now: later } },
          [registered, added('a1', oid1)].reduce(publisherDecider.evolve, publisherDecider.initialState),
        );
      expect(run).toThrow(NotFoundError);
      expect(run).not.toThrow(oid2);
    });

    it('an account removed and added again is a new account', () => {
      spec
        .given([
          registered,
          added('a1', oid1),
          added('a2', oid2),
          { type: 'AadUserRemoved', data: { publisherId: id, accountId: 'a1', removedAt: later } },
        ])
        .when({ type: 'AddAadUser', data: { publisherId: id, user: user('a3', oid1), now: later } })
        .then([added('a3', oid1)]);
    });
  });
});
