import type { DomainEvent } from '../decider.js';
import { IDEMPOTENCY_PREFIX } from '../idempotency.js';

/**
 * Erasure facts, shared by the aggregates that own data subjects. They carry
 * which subject was erased (kind and server-assigned ids) and when, never a
 * personal value: the values stay sealed in the log, and the subject's key is
 * destroyed right after the event is durable (see ErasureService), exactly
 * the keys it names.
 */

/** One data subject, named by ids only (see src/privacy/data-subjects.ts for the subject ids). */
export type ErasedSubject =
  | { kind: 'contact' }
  | { kind: 'aadAccount'; accountId: string }
  | { kind: 'offerSupport' }
  | { kind: 'disclosureRecipients' };

/** `subject`: one person at a data subject's request; `account`: part of closing the publisher's account. */
export type ErasureScope = 'subject' | 'account';

/**
 * The ids of the data keys an erasure destroys (src/privacy/keys/stream-keys.ts):
 * the keys its subject's values in the stream were sealed under. A key id is
 * an HMAC of the key, not personal data. Absent in events recorded before
 * erasures recorded them: those destroyed the keys of every value before them.
 * `idempotencyKeyIds`: the stream's idempotency keys (src/events/idempotency.ts),
 * under which fingerprints of the erased input may have been taken; absent in
 * events recorded before (the erasure service of those destroyed them by subject).
 */
export type ErasedKeyIds = { keyIds?: string[]; idempotencyKeyIds?: string[] };

/** The live key ids of a stream's subjects, by subject id (StreamKeys.liveKeyIdsBySubject): what an erasure command records. */
export type KeyIdsBySubject = Readonly<Record<string, readonly string[]>>;

/** In a publisher's stream: its contact person or one of its AAD accounts. */
export type PublisherPersonalDataErased = DomainEvent<
  'PersonalDataErased',
  {
    publisherId: string;
    subject: Extract<ErasedSubject, { kind: 'contact' | 'aadAccount' }>;
    scope: ErasureScope;
    erasedAt: string;
  } & ErasedKeyIds
>;

/** In an offer's stream: its customer-service contacts (one subject per offer). */
export type OfferPersonalDataErased = DomainEvent<
  'PersonalDataErased',
  {
    offerId: string;
    publisherId: string;
    subject: { kind: 'offerSupport' };
    scope: ErasureScope;
    erasedAt: string;
  } & ErasedKeyIds
>;

/** In a publisher's disclosures stream: the recipients of its disclosures, erased when its account closes. */
export type DisclosurePersonalDataErased = DomainEvent<
  'PersonalDataErased',
  { publisherId: string; subject: { kind: 'disclosureRecipients' }; scope: 'account'; erasedAt: string } & ErasedKeyIds
>;

/** The key ids to record for one subject, with the stream's idempotency keys (none given: the event records none, as before key ids). */
export function keyIdsFor(keyIds: KeyIdsBySubject | undefined, subjectId: string): ErasedKeyIds {
  if (!keyIds) return {};
  // the map holds one stream's subjects: its idempotency subject is the only one under the prefix
  const idempotencyKeyIds = Object.entries(keyIds).flatMap(([id, ids]) =>
    id.startsWith(IDEMPOTENCY_PREFIX) ? ids : [],
  );
  return { keyIds: [...(keyIds[subjectId] ?? [])], ...(idempotencyKeyIds.length > 0 ? { idempotencyKeyIds } : {}) };
}
