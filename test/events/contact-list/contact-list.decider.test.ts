import { describe, expect, it } from 'vitest';
import { IllegalStateError, ValidationError } from '../../../src/errors.js';
import { contactListDecider, type ProduceContactList } from '../../../src/events/contact-list/contact-list.commands.js';
import type { ContactCandidate, ContactListEvent } from '../../../src/events/contact-list/contact-list.events.js';
import { noContact } from '../../../src/events/publisher/publisher.events.js';
import { deciderSpec } from '../decider-spec.js';

const spec = deciderSpec(contactListDecider);
const now = '2026-12-01T10:00:00.000Z';

const candidate = (publisherId: string, changes: Partial<ContactCandidate> = {}): ContactCandidate => ({
  publisherId,
  registrationStatus: 'APPROVED',
  contactPreferences: { ...noContact },
  hasValue: true,
  ...changes,
});

const candidates = [
  candidate('offers-email', { contactPreferences: { ...noContact, aboutOffers: true, byEmail: true } }),
  candidate('offers-phone', { contactPreferences: { ...noContact, aboutOffers: true, byPhone: true } }),
  candidate('feedback-email', { contactPreferences: { ...noContact, aboutFeedback: true, byEmail: true } }),
  candidate('email-only', { contactPreferences: { ...noContact, byEmail: true } }),
  candidate('nothing'),
  candidate('closed', {
    registrationStatus: 'CLOSED',
    contactPreferences: { aboutOffers: true, aboutFeedback: true, byEmail: true, byPhone: true },
  }),
  candidate('erased', {
    hasValue: false,
    contactPreferences: { aboutOffers: true, aboutFeedback: true, byEmail: true, byPhone: true },
  }),
];

const produce = (purpose: string, channel: string): ProduceContactList => ({
  type: 'ProduceContactList',
  data: { listId: 'l-1', purpose, channel, candidates, basedOnPosition: 41, now },
});

const named = (purpose: string, channel: string): string[] => {
  const [event] = contactListDecider.decide(produce(purpose, channel), contactListDecider.initialState);
  return event!.data.publisherIds;
};

describe('contact list decider', () => {
  it('offers by email: only publishers who opted in to offers and to email', () => {
    expect(named('OFFERS', 'EMAIL')).toEqual(['offers-email']);
    expect(named('OFFERS', 'PHONE')).toEqual(['offers-phone']);
    expect(named('FEEDBACK', 'EMAIL')).toEqual(['feedback-email']);
    expect(named('FEEDBACK', 'PHONE')).toEqual([]);
  });

  it('billing, security and legal notices ignore the preferences (and say so), never a closed account or a missing value', () => {
    for (const purpose of ['BILLING', 'SECURITY', 'LEGAL']) {
      expect(named(purpose, 'PHONE')).toEqual([
        'offers-email',
        'offers-phone',
        'feedback-email',
        'email-only',
        'nothing',
      ]);
    }
    spec
      .given([])
      .when(produce('SECURITY', 'EMAIL'))
      .then([
        {
          type: 'ContactListProduced',
          data: {
            listId: 'l-1',
            purpose: 'SECURITY',
            channel: 'EMAIL',
            preferencesApplied: false,
            publisherIds: ['offers-email', 'offers-phone', 'feedback-email', 'email-only', 'nothing'],
            publisherCount: 5,
            basedOnPosition: 41,
            producedAt: now,
          },
        },
      ]);
  });

  it('the list records who and how many, never a contact value', () => {
    const [event] = contactListDecider.decide(produce('OFFERS', 'EMAIL'), contactListDecider.initialState);
    expect(event!.data).toMatchObject({ preferencesApplied: true, publisherCount: 1 });
    expect(Object.keys(event!.data).sort()).toEqual([
      'basedOnPosition',
      'channel',
      'listId',
      'preferencesApplied',
      'producedAt',
      'publisherCount',
      'publisherIds',
      'purpose',
    ]);
  });

  it('an unknown purpose or channel is refused, naming the argument', () => {
    spec
      .given([])
      .when(produce('BIRTHDAY_GREETINGS', 'EMAIL'))
      .thenThrows(ValidationError, /purpose/);
    spec
      .given([])
      .when(produce('OFFERS', 'FAX'))
      .thenThrows(ValidationError, /channel/);
  });

  it('a list is produced once', () => {
    const [first] = contactListDecider.decide(produce('OFFERS', 'EMAIL'), contactListDecider.initialState);
    spec
      .given([first as ContactListEvent])
      .when(produce('OFFERS', 'EMAIL'))
      .thenThrows(IllegalStateError, /once/);
  });
});
