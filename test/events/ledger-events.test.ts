import { describe, expect, it } from 'vitest';
import { assertNever } from '../../src/assert-never.js';
import {
  familyOf,
  handledEvent,
  ledgerEventOf,
  ledgerEventTypes,
  type HandledEvent,
  type Handles,
} from '../../src/events/ledger-events.js';
import type { PublisherEvent } from '../../src/events/publisher/publisher.events.js';
import type { Stored } from '../../src/events/stored-events.js';
import type { PersonalValue } from '../../src/privacy/personal-value.js';
import { recorded } from '../projections/fixtures.js';

/** A projection's declaration: it folds registrations and approvals of publishers, and nothing of offers or records. */
const handles = {
  publisher: {
    PublisherRegistered: true,
    PublisherApproved: true,
    ContactUpdated: false,
    ContactPreferencesChanged: false,
    PublisherRejected: false,
    AadUserAdded: false,
    AadUserRemoved: false,
    PersonalDataErased: false,
    PublisherAccountClosed: false,
  },
} as const satisfies Handles;

/** An evolve over the events it folds: every case decided, or it does not compile. */
function statusAfter(event: HandledEvent<typeof handles>): string {
  switch (event.type) {
    case 'PublisherRegistered':
      return 'PENDING';
    case 'PublisherApproved':
      return 'APPROVED';
    default:
      return assertNever(event);
  }
}

// What the compiler refuses (`npm run typecheck` fails if any of these compiles):
const undecided = { publisher: { PublisherRegistered: true } } as const;
// @ts-expect-error a projection that reads a family decides about every event type of it
void (undecided satisfies Handles);
// @ts-expect-error an event type the family does not have
void ({ publisher: { ...handles.publisher, PublisherRenamed: false } } satisfies Handles);
export function forgetsApproval(event: HandledEvent<typeof handles>): string {
  if (event.type === 'PublisherRegistered') return 'PENDING';
  // @ts-expect-error a switch that forgets a folded type is not exhaustive
  return assertNever(event);
}
type StoredContactUpdate = Extract<Stored<PublisherEvent>, { type: 'ContactUpdated' }>['data'];
// @ts-expect-error a declared personal value is sealed in the stored type, never a plaintext string
export const plaintext: StoredContactUpdate['contact'] = { email: 'li.lei@contoso.cn' };
export const sealedEmail = (email: PersonalValue): StoredContactUpdate => ({
  publisherId: 'p',
  contact: { email },
  updatedAt: 't',
});

describe('ledger events', () => {
  const [registered, approved, updated] = recorded('publisher-p1', [
    { type: 'PublisherRegistered', data: { publisherId: 'p1' } },
    { type: 'PublisherApproved', data: { publisherId: 'p1' } },
    { type: 'ContactUpdated', data: { publisherId: 'p1' } },
  ]);

  it('a projection gets the events it folds, typed, and nothing of the others', () => {
    expect(
      [registered, approved, updated]
        .map((event) => handledEvent(handles, event!))
        .map((event) => event && statusAfter(event)),
    ).toEqual(['PENDING', 'APPROVED', null]);
    const [offer] = recorded('offer-o1', [{ type: 'OfferCreated', data: { offerId: 'o1' } }]);
    expect(handledEvent(handles, offer!)).toBeNull();
  });

  it('an event type this build does not know in a ledger stream is refused, not skipped', () => {
    const [unknown] = recorded('publisher-p1', [{ type: 'PublisherRenamed', data: { publisherId: 'p1' } }]);
    expect(() => handledEvent(handles, unknown!)).toThrow(/PublisherRenamed/);
    expect(() => ledgerEventOf(unknown!)).toThrow(/does not know/);
  });

  it('a stream is of its family by name; streams the ledger does not write have none', () => {
    expect(
      [
        'publisher-1',
        'offer-1',
        'privacy-requests-1',
        'disclosures-1',
        'contact-list-1',
        'access-grants-1',
        'sum-1',
      ].map(familyOf),
    ).toEqual(['publisher', 'offer', 'privacyRequest', 'disclosure', 'contactList', 'accessGrant', null]);
  });

  it('every event type is listed once, the erasure shared by publishers, offers and disclosures included', () => {
    expect(new Set(ledgerEventTypes).size).toBe(ledgerEventTypes.length);
    expect(ledgerEventTypes).toContain('PersonalDataErased');
    expect(ledgerEventTypes).toContain('DisclosureRecorded');
    expect(ledgerEventTypes).toContain('ContactListProduced');
    expect(ledgerEventTypes).toContain('AccessGrantUsed');
    expect(ledgerEventTypes).toContain('GranteesForgotten');
    expect(ledgerEventTypes).toHaveLength(23);
  });
});
