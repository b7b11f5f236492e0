/**
 * The stored event envelope. It is the log's on-disk contract: every adapter
 * (SQLite, KurrentDB) stores exactly these fields, and the hash chain is
 * computed over them, so they are designed once, here, for every later need:
 *
 * - `metadata` holds the audit trail (actor, correlation, causation, request,
 *   client) and is free-form JSON so later fields need no migration;
 * - `schemaVersion` lets upcasters turn old shapes into current ones on read;
 * - `data` holds personal values only as encrypted `PersonalValue` objects
 *   (see src/privacy/personal-value.ts); erasure destroys keys, never bytes,
 *   so `hash`/`prevHash` stay verifiable after an erasure.
 */

/**
 * Who caused an event. In a command, `id` is the principal's AAD object id
 * or a service identity. As recorded (src/privacy/actor-references.ts), a
 * member's `id` is its account id at `publisherId`, with `objectId` sealed
 * under the account's key; another user's `id` is a pseudonymous person
 * reference (`actor-<uuid>`), with `objectId` sealed under that reference's
 * key; events written before references hold the object id in `id`.
 */
export interface Actor {
  id: string;
  kind: 'user' | 'service' | 'system';
  role?: string;
  /** recorded users only: the object id, a sealed PersonalValue in the log (absent for an account erased before the event was written) */
  objectId?: unknown;
  /** recorded members only: the publisher whose account `id` is */
  publisherId?: string;
}

export interface EventMetadata {
  actor: Actor;
  correlationId: string;
  causationId?: string;
  requestId?: string;
  /**
   * Personal data itself, stored as one encrypted PersonalValue: the
   * request's client, `{ ip?, userAgent? }`.
   */
  client?: unknown;
  /** Events written before `client`: the client's address and user agent, each its own encrypted PersonalValue. */
  clientIp?: unknown;
  /** See clientIp. */
  userAgent?: unknown;
  [extension: string]: unknown;
}

/** An event as handed to `EventStore.append`: already encoded for storage. */
export interface NewEvent {
  eventId: string;
  type: string;
  schemaVersion: number;
  /** ISO-8601 instant, from the injected clock. */
  occurredAt: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

/** An event as read back from the log. */
export interface RecordedEvent extends NewEvent {
  streamId: string;
  /** 0-based index of the event in its stream. */
  revision: number;
  /** Global, strictly increasing position in the whole log (not contiguous on every adapter: see event-store.ts). */
  position: number;
  /** Hash of the previous event of the same stream ('' for revision 0). */
  prevHash: string;
  /** sha-256 over this event's stored fields and `prevHash` (hex). */
  hash: string;
}
