import { assertNever } from '../assert-never.js';
import type { RecordedEvent } from '../events/store/event-envelope.js';
import { asFamilyEvent, familyOf, type FamilyEvent } from '../events/ledger-events.js';
import { evolveOffer, initialOfferState } from '../events/offer/offer.events.js';
import { evolvePublisher, initialPublisherState, type AadUser } from '../events/publisher/publisher.events.js';
import { flattenRecord } from './diff.js';
import { offerRecord, publisherRecord } from './subjects.js';

/**
 * The fields of its record an event sets, named as `history` names them:
 * the same records (subjects.ts), flattened by the same function
 * (diff.ts), so the audit trail says `aadUsers.<accountId>.displayName`
 * where history does. An event alone does not tell what the fields held
 * before it, so these are the fields it sets, changed or not; history
 * lists those whose value changed. Names only, never values.
 */
export function changedFieldsOf(event: RecordedEvent): string[] {
  const family = familyOf(event.streamId);
  switch (family) {
    case 'publisher':
      return namesOf(publisherFieldsSet(asFamilyEvent('publisher', event)));
    case 'offer':
      return namesOf(offerFieldsSet(asFamilyEvent('offer', event)));
    case 'privacyRequest':
      return privacyRequestFieldsSet(asFamilyEvent('privacyRequest', event));
    case 'registrationCode':
      return ['registrationCode', 'publisherId'];
    case 'disclosure':
      return disclosureFieldsSet(asFamilyEvent('disclosure', event));
    case 'contactList':
      return Object.keys(asFamilyEvent('contactList', event).data);
    case 'accessGrant':
      // a grant is no record of the publisher's: the fields its event sets are its own
      return Object.keys(asFamilyEvent('accessGrant', event).data);
    case null:
      return [];
    default:
      return assertNever(family);
  }
}

/** A leaf of a shape: only its path matters. */
const SET = true;

/** An account's fields (all go when it is removed); its actor reference or blind index, whichever it has, goes with them. */
const accountFields = (accountId: string) =>
  ({
    accountId,
    objectId: SET,
    userPrincipalName: SET,
    displayName: SET,
    addedAt: SET,
    addedBy: SET,
    actorId: SET,
    objectIdIndex: SET,
  }) satisfies Record<keyof AadUser, unknown>;

/** The fields a record gets when an event creates it (a field still null was not set). */
const created = (record: object | null): string[] =>
  [...flattenRecord(record)].flatMap(([path, value]) => (value === null ? [] : [path]));

const namesOf = (shape: object | string[]): string[] =>
  Array.isArray(shape) ? shape : [...flattenRecord(shape).keys()];

function publisherFieldsSet(event: FamilyEvent<'publisher'>): object | string[] {
  switch (event.type) {
    case 'PublisherRegistered':
      return created(publisherRecord(evolvePublisher(initialPublisherState, event)));
    case 'ContactUpdated':
      return { companyName: event.data.companyName, contact: event.data.contact };
    case 'ContactPreferencesChanged':
      return { contactPreferences: event.data.contactPreferences };
    case 'PublisherApproved':
    case 'PublisherRejected':
    case 'PublisherAccountClosed':
      return { registrationStatus: SET, rejectionReason: SET };
    case 'AadUserAdded':
      return { aadUsers: [event.data.user] };
    case 'AadUserRemoved':
      return { aadUsers: [accountFields(event.data.accountId)] };
    case 'PersonalDataErased': // the values stay as recorded; their key is gone
      return {};
    default:
      return assertNever(event);
  }
}

function offerFieldsSet(event: FamilyEvent<'offer'>): object | string[] {
  switch (event.type) {
    case 'OfferCreated':
      return created(offerRecord(evolveOffer(initialOfferState, event)));
    case 'OfferCustomerServiceUpdated':
      // an empty list sets the list itself
      return event.data.supportContacts.length ? { supportContacts: event.data.supportContacts } : ['supportContacts'];
    case 'OfferPublished':
      return { status: SET, publishedAt: SET };
    case 'OfferDeleted':
      return { status: SET };
    case 'PersonalDataErased': // closing the account withdraws the offer; a person's erasure keeps the values as recorded
      return event.data.scope === 'account' ? { status: SET } : {};
    default:
      return assertNever(event);
  }
}

/** Privacy request records have no history of their own: the fields of the event. */
function privacyRequestFieldsSet(event: FamilyEvent<'privacyRequest'>): string[] {
  switch (event.type) {
    case 'PrivacyRequestRecorded':
      return ['kind', 'target'];
    case 'PrivacyRequestRecordDeleted':
      return ['recordId'];
    default:
      return assertNever(event);
  }
}

/** A disclosure is a record of its own (no history): the fields of the event; its erasure, the recipient's name it leaves unreadable. */
function disclosureFieldsSet(event: FamilyEvent<'disclosure'>): string[] {
  switch (event.type) {
    case 'DisclosureRecorded':
      return namesOf({ ...event.data, fields: SET });
    case 'PersonalDataErased':
      return [];
    default:
      return assertNever(event);
  }
}
