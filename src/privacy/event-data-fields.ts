/**
 * The personal fields of each event type's data, with the subject each
 * belongs to. The fields of every event's metadata, and the functions over
 * both, are in ./classification.ts.
 */
import { supportContactFields } from '../events/offer/offer.events.js';
import type { DataOf, LedgerEventType, PathsOf } from '../events/domain-events.js';
import type { Masking, PersonalField } from './personal-field.js';
import {
  aadAccountSubject,
  contactSubject,
  disclosureRecipientsSubject,
  offerSupportSubject,
} from './data-subjects.js';

const publisherContact = (data: Record<string, unknown>): string => contactSubject(String(data['publisherId']));

// Paths keep their literal types (`as const`): src/events/stored-events.ts types these fields as sealed.
const contactFields = [
  {
    path: 'contact.name',
    category: 'administrator',
    label: 'contact person name',
    mask: 'pseudonym',
    subject: publisherContact,
  },
  {
    path: 'contact.telephone',
    category: 'administrator',
    label: 'contact person telephone',
    mask: 'telephone-country',
    subject: publisherContact,
  },
  {
    path: 'contact.email',
    category: 'administrator',
    label: 'contact person email',
    mask: 'email-domain',
    subject: publisherContact,
  },
] as const satisfies readonly PersonalField[];

/** An account's fields, under `at` in the event's data (`user`, or `firstUser` of a registration). */
const aadUserFields = <At extends string>(at: At) => {
  const subject = (data: Record<string, unknown>): string =>
    aadAccountSubject(
      String(data['publisherId']),
      String((data[at] as Record<string, unknown> | undefined)?.['accountId']),
    );
  return [
    { path: `${at}.objectId`, category: 'administrator', label: 'AAD account object id', mask: 'pseudonym', subject },
    // a UPN is email-shaped: its domain is the tenant's, not the person's
    {
      path: `${at}.userPrincipalName`,
      category: 'administrator',
      label: 'AAD account user principal name',
      mask: 'email-domain',
      subject,
    },
    {
      path: `${at}.displayName`,
      category: 'administrator',
      label: 'AAD account display name',
      mask: 'pseudonym',
      subject,
    },
  ] as const satisfies readonly PersonalField[];
};

const offerSupport = (data: Record<string, unknown>): string => offerSupportSubject(String(data['offerId']));

const supportMasking: Record<(typeof supportContactFields)[number], Masking> = {
  name: 'pseudonym',
  telephone: 'telephone-country',
  email: 'email-domain',
  qq: 'pseudonym',
  wechat: 'pseudonym',
  weibo: 'pseudonym',
};

const supportContactPaths = supportContactFields.map((field) => ({
  path: `supportContacts.*.${field}` as const,
  category: 'customer' as const,
  label: `customer-service ${field}`,
  mask: supportMasking[field],
  subject: offerSupport,
}));

const disclosureRecipientFields = [
  {
    path: 'recipient.name',
    category: 'third-party',
    label: 'disclosure recipient name',
    mask: 'pseudonym',
    subject: (data: Record<string, unknown>) => disclosureRecipientsSubject(String(data['publisherId'])),
  },
] as const satisfies readonly PersonalField[];

/**
 * Each path must be one of its event's data (checked when compiling), and
 * the domain types hold exactly these as `P` (src/events/stored-events.ts).
 */
export const personalFieldsByEventType = {
  OfferCustomerServiceUpdated: supportContactPaths,
  PublisherRegistered: [...contactFields, ...aadUserFields('firstUser')],
  ContactUpdated: contactFields,
  AadUserAdded: aadUserFields('user'),
  DisclosureRecorded: disclosureRecipientFields,
} as const satisfies { readonly [T in LedgerEventType]?: readonly PersonalField<PathsOf<DataOf<T>>>[] };

/** The declared paths of an event type's data (none for most types). */
export type DeclaredPaths<T extends string> = T extends keyof typeof personalFieldsByEventType
  ? (typeof personalFieldsByEventType)[T][number]['path']
  : never;
