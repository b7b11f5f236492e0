import { describe, it } from 'vitest';
import { IllegalStateError, NotFoundError } from '../../../src/errors.js';
import { offerDecider } from '../../../src/events/offer/offer.commands.js';
import type { OfferEvent } from '../../../src/events/offer/offer.events.js';
import { publisherDecider } from '../../../src/events/publisher/publisher.commands.js';
import { noContact, type AadUser, type PublisherEvent } from '../../../src/events/publisher/publisher.events.js';
import { deciderSpec } from '../decider-spec.js';

const publisherId = '0190f5a2-7b3c-7d4e-8f60-123456789abc';
const offerId = '0190f5a2-7b3c-7d4e-8f60-0000000000a1';
const now = '2026-11-23T10:00:00.000Z';
const account = (accountId: string, objectId: string): AadUser => ({
  accountId,
  objectId,
  userPrincipalName: `${objectId.slice(0, 4)}@contoso.cn`,
  displayName: 'Li Lei',
  addedAt: now,
  addedBy: 'op-1',
});
const a1 = '0190f5a2-0000-7000-8000-0000000000a1';
const a2 = '0190f5a2-0000-7000-8000-0000000000a2';

const registered: PublisherEvent = {
  type: 'PublisherRegistered',
  data: {
    publisherId,
    companyName: 'Contoso China',
    registrationCode: '91350100M000100Y43',
    contact: { name: 'Li Lei', telephone: '+8613800138000', email: 'li.lei@contoso.cn' },
    contactPreferences: noContact,
    registeredAt: now,
  },
};
const added1: PublisherEvent = {
  type: 'AadUserAdded',
  data: { publisherId, user: account(a1, '11111111-1111-4111-8111-111111111111') },
};
const added2: PublisherEvent = {
  type: 'AadUserAdded',
  data: { publisherId, user: account(a2, '22222222-2222-4222-8222-222222222222') },
};
const removed1: PublisherEvent = { type: 'AadUserRemoved', data: { publisherId, accountId: a1, removedAt: now } };
const erased = (
  subject: Extract<PublisherEvent, { type: 'PersonalDataErased' }>['data']['subject'],
  scope: 'subject' | 'account' = 'subject',
): PublisherEvent => ({
  type: 'PersonalDataErased',
  data: { publisherId, subject, scope, erasedAt: now },
});
const closed: PublisherEvent = { type: 'PublisherAccountClosed', data: { publisherId, closedAt: now } };

const publisher = deciderSpec(publisherDecider);
const offer = deciderSpec(offerDecider);

describe("erasure of a publisher's people", () => {
  it('erasing the contact records PersonalDataErased, once: a retry records nothing', () => {
    const erase = {
      type: 'ErasePublisherSubject' as const,
      data: { publisherId, subject: { kind: 'contact' as const }, now },
    };
    publisher
      .given([registered])
      .when(erase)
      .then([erased({ kind: 'contact' })]);
    publisher
      .given([registered, erased({ kind: 'contact' })])
      .when(erase)
      .then([]);
  });

  it('a contact recorded after an erasure can be erased in its turn', () => {
    const updated: PublisherEvent = {
      type: 'ContactUpdated',
      data: { publisherId, contact: { email: 'han@contoso.cn' }, updatedAt: now },
    };
    publisher
      .given([registered, erased({ kind: 'contact' }), updated])
      .when({ type: 'ErasePublisherSubject', data: { publisherId, subject: { kind: 'contact' }, now } })
      .then([erased({ kind: 'contact' })]);
  });

  it('a removed AAD account can be erased; one that still has access cannot; an unknown one is NOT_FOUND', () => {
    const erase = (accountId: string) => ({
      type: 'ErasePublisherSubject' as const,
      data: { publisherId, subject: { kind: 'aadAccount' as const, accountId }, now },
    });
    publisher
      .given([registered, added1, added2, removed1])
      .when(erase(a1))
      .then([erased({ kind: 'aadAccount', accountId: a1 })]);
    publisher
      .given([registered, added1, added2, removed1])
      .when(erase(a2))
      .thenThrows(IllegalStateError, /still has access/);
    publisher.given([registered, added1]).when(erase(a2)).thenThrows(NotFoundError);
  });

  it('closing an account erases the contact and every account ever added, then closes it; a retry records nothing', () => {
    const close = { type: 'ClosePublisherAccount' as const, data: { publisherId, now } };
    publisher
      .given([registered, added1, added2, removed1])
      .when(close)
      .then([
        erased({ kind: 'contact' }, 'account'),
        erased({ kind: 'aadAccount', accountId: a1 }, 'account'),
        erased({ kind: 'aadAccount', accountId: a2 }, 'account'),
        closed,
      ]);
    publisher
      .given([
        registered,
        added1,
        erased({ kind: 'contact' }, 'account'),
        erased({ kind: 'aadAccount', accountId: a1 }, 'account'),
        closed,
      ])
      .when(close)
      .then([]);
  });

  it('a closed account accepts no further change', () => {
    publisher
      .given([registered, erased({ kind: 'contact' }, 'account'), closed])
      .when({ type: 'UpdatePublisherContact', data: { publisherId, contact: { name: 'Han Meimei' }, now } })
      .thenThrows(IllegalStateError, /closed/);
  });
});

describe("erasure of an offer's customer-service contacts", () => {
  const created: OfferEvent = {
    type: 'OfferCreated',
    data: { offerId, publisherId, name: 'VM', kind: 'VIRTUAL_MACHINE', createdAt: now },
  };
  const deleted: OfferEvent = { type: 'OfferDeleted', data: { offerId, publisherId, deletedAt: now } };
  const erasedSupport = (scope: 'subject' | 'account'): OfferEvent => ({
    type: 'PersonalDataErased',
    data: { offerId, publisherId, subject: { kind: 'offerSupport' }, scope, erasedAt: now },
  });
  const erase = (scope: 'subject' | 'account') => ({
    type: 'EraseOfferSupport' as const,
    data: { offerId, scope, now },
  });

  it("a deleted offer's contacts can still be erased, once", () => {
    offer
      .given([created, deleted])
      .when(erase('subject'))
      .then([erasedSupport('subject')]);
    offer
      .given([created, deleted, erasedSupport('subject')])
      .when(erase('subject'))
      .then([]);
    offer
      .given([created, deleted, erasedSupport('subject')])
      .when(erase('account'))
      .then([]);
  });

  it('closing the account withdraws an offer whose contacts were erased before', () => {
    offer
      .given([created, erasedSupport('subject')])
      .when(erase('account'))
      .then([erasedSupport('account')]);
    offer
      .given([created, erasedSupport('account')])
      .when({ type: 'UpdateOfferCustomerService', data: { offerId, supportContacts: [{ qq: '12345' }], now } })
      .thenThrows(NotFoundError);
  });

  it('an offer never created is NOT_FOUND', () => {
    offer.given([]).when(erase('subject')).thenThrows(NotFoundError);
  });
});
