import { supportContactFields } from '../events/offer/offer.events.js';
import type { SealField } from './personal-data-codec.js';

/**
 * The one declaration of personal data. Every personal value that an event
 * carries is listed here with its data category and its data subject;
 * encryption (src/events/event-codec.ts) reads it, and so will masking,
 * export and erasure. A value not declared here is stored in clear.
 *
 * Categories follow the marketplace's privacy statement: administrator data
 * (the publisher's contact person and accounts) and customer data.
 */
export type DataCategory = 'administrator' | 'customer';

export interface PersonalField {
  /** dotted path inside the event's data; `*` stands for every element of an array */
  path: string;
  category: DataCategory;
  /** what the value is, in words (used by exports and the declaration test) */
  label: string;
  /** the data subject the value belongs to, from the value's container (the event's data or metadata) and the event's instant */
  subject(container: Record<string, unknown>, occurredAt: string): string;
}

/** The publisher's contact person is one data subject per publisher. */
export const contactSubject = (publisherId: string): string => `publisher/${publisherId}/contact`;

const publisherContact = (data: Record<string, unknown>): string =>
  contactSubject(String(data['publisherId']));

const contactFields: PersonalField[] = [
  { path: 'contact.name', category: 'administrator', label: 'contact person name', subject: publisherContact },
  { path: 'contact.telephone', category: 'administrator', label: 'contact person telephone', subject: publisherContact },
  { path: 'contact.email', category: 'administrator', label: 'contact person email', subject: publisherContact },
];

/** Each AAD account is its own data subject, named by its server-assigned account id (never by its object id). */
export const aadAccountSubject = (publisherId: string, accountId: string): string =>
  `publisher/${publisherId}/aad/${accountId}`;

/** An account's fields, under `at` in the event's data (`user`, or `firstUser` of a registration). */
const aadUserFields = (at: string): PersonalField[] => {
  const subject = (data: Record<string, unknown>): string =>
    aadAccountSubject(String(data['publisherId']), String((data[at] as Record<string, unknown> | undefined)?.['accountId']));
  return [
    { path: `${at}.objectId`, category: 'administrator', label: 'AAD account object id', subject },
    { path: `${at}.userPrincipalName`, category: 'administrator', label: 'AAD account user principal name', subject },
    { path: `${at}.displayName`, category: 'administrator', label: 'AAD account display name', subject },
  ];
};

/** An offer's customer-service contacts: one subject per offer (issue 5 may split it per contact). */
export const offerSupportSubject = (offerId: string): string => `offer/${offerId}/support`;

const offerSupport = (data: Record<string, unknown>): string => offerSupportSubject(String(data['offerId']));

const supportContactPaths: PersonalField[] = supportContactFields.map(
  (field) => ({ path: `supportContacts.*.${field}`, category: 'customer', label: `customer-service ${field}`, subject: offerSupport }),
);

export const personalFieldsByEventType: Readonly<Record<string, readonly PersonalField[]>> = {
  OfferCustomerServiceUpdated: supportContactPaths,
  PublisherRegistered: [...contactFields, ...aadUserFields('firstUser')],
  ContactUpdated: contactFields,
  AadUserAdded: aadUserFields('user'),
};

/**
 * Where a request came from: one data subject per calendar month (UTC) of
 * the event, so that a retention job can destroy a whole month's key.
 */
export const clientSubject = (occurredAt: string): string => `client/${occurredAt.slice(0, 7)}`;

const requestClient = (_metadata: Record<string, unknown>, occurredAt: string): string => clientSubject(occurredAt);

/** Personal values in the metadata of every event, whatever its type (see EventMetadata). */
export const personalMetadataFields: readonly PersonalField[] = [
  { path: 'clientIp', category: 'administrator', label: 'client IP address of the request', subject: requestClient },
  { path: 'userAgent', category: 'administrator', label: 'user agent of the request', subject: requestClient },
];

export function personalFieldsOf(eventType: string): readonly PersonalField[] {
  return personalFieldsByEventType[eventType] ?? [];
}

/** What to seal in one event's data or metadata: each declared field at each of its concrete paths, with its subject. */
export function sealFieldsOf(fields: readonly PersonalField[], container: Record<string, unknown>, occurredAt: string): SealField[] {
  return fields.flatMap((field) =>
    concretePaths(container, field.path).map((path) => ({ path, subjectId: field.subject(container, occurredAt) })),
  );
}

/** The concrete paths of a declared field in one event's data (`*` expanded over arrays). */
export function concretePaths(data: unknown, path: string): string[] {
  const [head, ...rest] = path.split('.');
  if (head === undefined) return [];
  if (head === '*') {
    if (!Array.isArray(data)) return [];
    return data.flatMap((item, i) => (rest.length ? concretePaths(item, rest.join('.')).map((p) => `${i}.${p}`) : [String(i)]));
  }
  if (rest.length === 0) return [head];
  const next = data && typeof data === 'object' ? (data as Record<string, unknown>)[head] : undefined;
  return concretePaths(next, rest.join('.')).map((p) => `${head}.${p}`);
}
