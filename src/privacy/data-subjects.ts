/**
 * The data subjects personal values are sealed under: each names one
 * key-store subject, whose key erasure destroys. Declared apart from the
 * fields that use them (./classification.ts, ./event-data-fields.ts) because
 * commands, erasure and the key store name subjects without needing the
 * field lists.
 */

/** The publisher's contact person is one data subject per publisher. */
export const contactSubject = (publisherId: string): string => `publisher/${publisherId}/contact`;

/**
 * The key-store subject whose key seals, in each event's metadata, the link
 * from a person reference (src/privacy/actor-references.ts) to its AAD
 * object id (`actor.objectId`). Destroyed when the person is forgotten: the
 * reference then names nobody.
 */
export const actorSubject = (reference: string): string => `actor/${reference}`;

/** Each AAD account is its own data subject, named by its server-assigned account id (never by its object id). */
export const aadAccountSubject = (publisherId: string, accountId: string): string =>
  `publisher/${publisherId}/aad/${accountId}`;

/** An offer's customer-service contacts: one subject per offer (the list is replaced whole; its entries have no identity of their own). */
export const offerSupportSubject = (offerId: string): string => `offer/${offerId}/support`;

/**
 * The recipients of a publisher's disclosures (src/events/disclosure/): one
 * subject per publisher, erased when its account closes. Not the
 * publisher's personal data, but kept only as long as the publisher's
 * account: who received its data is told to its members, and to nobody
 * once the account is gone.
 */
export const disclosureRecipientsSubject = (publisherId: string): string =>
  `publisher/${publisherId}/disclosure-recipients`;

/**
 * Time-bucketed subjects: what is kept only for the retention period shares
 * one key per calendar month (UTC), which `privacy-ledger retention`
 * destroys once the whole month is older than the period. `instant` is an
 * ISO-8601 instant in UTC (as the clock stamps them).
 */
export const RETENTION_BUCKET_PREFIXES = ['retention/', 'client/'] as const;
export const retentionSubject = (instant: string): string => `retention/${instant.slice(0, 7)}`;
/** client IP and user agent in event metadata */
export const clientSubject = (instant: string): string => `client/${instant.slice(0, 7)}`;
