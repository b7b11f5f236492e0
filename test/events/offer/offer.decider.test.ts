import { describe, expect, it } from 'vitest';
import { IllegalStateError, NotFoundError } from '../../../src/errors.js';
import { offerDecider } from '../../../src/events/offer/offer.commands.js';
import { offerStream, type OfferEvent, type SupportContact } from '../../../src/events/offer/offer.events.js';
import { fold } from '../../../src/events/decider.js';
import { deciderSpec } from '../decider-spec.js';

const spec = deciderSpec(offerDecider);
const id = '0190f5a2-7b3c-7d4e-8f60-0000000000a1';
const publisherId = '0190f5a2-7b3c-7d4e-8f60-123456789abc';
const now = '2026-11-22T10:00:00.000Z';
const later = '2026-11-22T11:00:00.000Z';
const contacts: SupportContact[] = [
  { name: 'Li Lei', telephone: '+8613800138000', email: 'li.lei@example.cn' },
  { qq: '12345678', wechat: 'li_lei-88' },
];

const created: OfferEvent = {
  type: 'OfferCreated',
  data: { offerId: id, publisherId, name: 'Contoso VM', kind: 'VIRTUAL_MACHINE', createdAt: now },
};
const supported: OfferEvent = {
  type: 'OfferCustomerServiceUpdated',
  data: { offerId: id, publisherId, supportContacts: contacts, updatedAt: now },
};
const published: OfferEvent = { type: 'OfferPublished', data: { offerId: id, publisherId, publishedAt: later } };
const deleted: OfferEvent = { type: 'OfferDeleted', data: { offerId: id, publisherId, deletedAt: later } };

const publish = (publisherApproved = true) =>
  ({ type: 'PublishOffer', data: { offerId: id, publisherApproved, now: later } }) as const;

describe('offer decider', () => {
  it('an offer lives in its own stream', () => {
    expect(offerStream(id)).toBe(`offer-${id}`);
  });

  it('creating a new offer records OfferCreated as a draft', () => {
    spec
      .given([])
      .when({
        type: 'CreateOffer',
        data: { offerId: id, publisherId, name: 'Contoso VM', kind: 'VIRTUAL_MACHINE', now },
      })
      .then([created]);
    expect(fold(offerDecider, [created])).toMatchObject({ status: 'DRAFT', supportContacts: [] });
  });

  it('creating an offer that already exists is refused', () => {
    spec
      .given([created])
      .when({ type: 'CreateOffer', data: { offerId: id, publisherId, name: 'Other', kind: 'SOLUTION_TEMPLATE', now } })
      .thenThrows(IllegalStateError, /already exists/);
  });

  it('updating the customer service of an offer that was never created is NOT_FOUND', () => {
    spec
      .given([])
      .when({ type: 'UpdateOfferCustomerService', data: { offerId: id, supportContacts: contacts, now } })
      .thenThrows(NotFoundError);
  });

  it('updating the customer service records the full new list of contacts', () => {
    spec
      .given([created])
      .when({ type: 'UpdateOfferCustomerService', data: { offerId: id, supportContacts: contacts, now } })
      .then([supported]);
  });

  it('setting the same support contacts records nothing', () => {
    spec
      .given([created, supported])
      .when({
        type: 'UpdateOfferCustomerService',
        data: { offerId: id, supportContacts: contacts.map((contact) => ({ ...contact })), now: later },
      })
      .then([]);
  });

  it('a change to one field of one contact records the whole list', () => {
    const next = [contacts[0]!, { qq: '12345678', wechat: 'han_meimei' }];
    spec
      .given([created, supported])
      .when({ type: 'UpdateOfferCustomerService', data: { offerId: id, supportContacts: next, now: later } })
      .then([
        {
          type: 'OfferCustomerServiceUpdated',
          data: { offerId: id, publisherId, supportContacts: next, updatedAt: later },
        },
      ]);
  });

  it('a published offer can change its contacts but not drop the last one', () => {
    spec
      .given([created, supported, published])
      .when({ type: 'UpdateOfferCustomerService', data: { offerId: id, supportContacts: [contacts[1]!], now: later } })
      .then([
        {
          type: 'OfferCustomerServiceUpdated',
          data: { offerId: id, publisherId, supportContacts: [contacts[1]!], updatedAt: later },
        },
      ]);
    spec
      .given([created, supported, published])
      .when({ type: 'UpdateOfferCustomerService', data: { offerId: id, supportContacts: [], now: later } })
      .thenThrows(IllegalStateError, /must keep at least one customer-service contact/);
  });

  it('an offer with contacts from an approved publisher is published', () => {
    spec.given([created, supported]).when(publish()).then([published]);
  });

  it('publishing without an approved publisher is refused', () => {
    spec
      .given([created, supported])
      .when(publish(false))
      .thenThrows(IllegalStateError, /publisher must be approved/);
  });

  it('publishing an offer without a customer-service contact is refused', () => {
    spec
      .given([created])
      .when(publish())
      .thenThrows(IllegalStateError, /at least one customer-service contact/);
  });

  it('publishing an offer whose contacts were all removed is refused', () => {
    const cleared: OfferEvent = {
      type: 'OfferCustomerServiceUpdated',
      data: { offerId: id, publisherId, supportContacts: [], updatedAt: later },
    };
    spec
      .given([created, supported, cleared])
      .when(publish())
      .thenThrows(IllegalStateError, /at least one customer-service contact/);
  });

  it('publishing an already published offer records nothing', () => {
    spec.given([created, supported, published]).when(publish()).then([]);
  });

  it('publishing an offer that was never created is NOT_FOUND', () => {
    spec.given([]).when(publish()).thenThrows(NotFoundError);
  });

  it('a draft offer is deleted', () => {
    spec
      .given([created, supported])
      .when({ type: 'DeleteOffer', data: { offerId: id, now: later } })
      .then([deleted]);
  });

  it('a published offer is deleted', () => {
    spec
      .given([created, supported, published])
      .when({ type: 'DeleteOffer', data: { offerId: id, now: later } })
      .then([deleted]);
  });

  it('deleting an offer that was never created is NOT_FOUND', () => {
    spec
      .given([])
      .when({ type: 'DeleteOffer', data: { offerId: id, now } })
      .thenThrows(NotFoundError);
  });

  it('deleting an offer deletes its support details', () => {
    expect(fold(offerDecider, [created, supported, published, deleted])).toEqual({
      status: 'DELETED',
      id,
      publisherId,
      supportErased: false,
    });
  });

  it('a deleted offer disappears: every command on it is NOT_FOUND', () => {
    const history = [created, supported, deleted];
    spec
      .given(history)
      .when({ type: 'DeleteOffer', data: { offerId: id, now: later } })
      .thenThrows(NotFoundError, /offer .* was not found/);
    spec.given(history).when(publish()).thenThrows(NotFoundError);
    spec
      .given(history)
      .when({ type: 'UpdateOfferCustomerService', data: { offerId: id, supportContacts: contacts, now: later } })
      .thenThrows(NotFoundError);
  });

  it('a deleted offer cannot be created again under the same id', () => {
    spec
      .given([created, deleted])
      .when({
        type: 'CreateOffer',
        data: { offerId: id, publisherId, name: 'Contoso VM', kind: 'VIRTUAL_MACHINE', now: later },
      })
      .thenThrows(IllegalStateError, /already exists/);
  });
});
