import type { DomainEvent } from './decider.js';

/**
 * Erasure facts, shared by the aggregates that own data subjects. They carry
 * which subject was erased (kind and server-assigned ids) and when, never a
 * personal value: the values stay sealed in the log, and the subject's key is
 * destroyed right after the event is durable (see ErasureService).
 */

/** One data subject, named by ids only (see src/privacy/classification.ts for the subject ids). */
export type ErasedSubject =
  | { kind: 'contact' }
  | { kind: 'aadAccount'; accountId: string }
  | { kind: 'offerSupport' };

/** `subject`: one person at a data subject's request; `account`: part of closing the publisher's account. */
export type ErasureScope = 'subject' | 'account';

/** In a publisher's stream: its contact person or one of its AAD accounts. */
export type PublisherPersonalDataErased = DomainEvent<
  'PersonalDataErased',
  { publisherId: string; subject: Extract<ErasedSubject, { kind: 'contact' | 'aadAccount' }>; scope: ErasureScope; erasedAt: string }
>;

/** In an offer's stream: its customer-service contacts (one subject per offer). */
export type OfferPersonalDataErased = DomainEvent<
  'PersonalDataErased',
  { offerId: string; publisherId: string; subject: { kind: 'offerSupport' }; scope: ErasureScope; erasedAt: string }
>;
