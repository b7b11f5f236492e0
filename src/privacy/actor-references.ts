import { createHmac } from 'node:crypto';
import type { Actor } from '../events/store/event-envelope.js';
import type { KeyStore } from './keys/key-store.js';
import type { PersonalDataCodec } from './personal-data-codec.js';

/**
 * The key-store subject whose key seals, in each event's metadata, the link
 * from a user actor's reference to its AAD object id (`actor.objectId`).
 * Destroyed when the person is erased: the reference then names nobody.
 */
export const actorSubject = (reference: string): string => `actor/${reference}`;

/** The lookup from an object id to its reference: one key-store row per person, named by a keyed HMAC of the object id. */
const lookupSubject = (index: string): string => `actor-lookup/${index}`;

/** The key of the lookup's HMAC: a key-store key (never destroyed), so it survives master-key rotation like the data keys. */
const INDEX_SUBJECT = 'actor-lookup-index';

/** What a user actor is named by in events, read models and exports: `actor-` and 32 hex digits grouped as a UUID. */
export const ACTOR_REFERENCE = /^actor-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Pseudonymous references for user actors (issue 18). A person acting
 * through the API is recorded by a random reference, never by their object
 * id. Two key-store rows stand for each person:
 *
 * - `actor-lookup/<HMAC(object id)>`: object id -> reference. The reference
 *   is derived from this row's random key, so it carries nothing of the
 *   object id, and the row is created atomically (racing requests of one
 *   person get one reference). Being a row of the key store it is deleted
 *   with secure_delete and a truncated WAL, and survives rotation re-wrapped.
 * - `actor/<reference>`: the key that seals the object id in event metadata,
 *   so an auditor can still see who a reference is.
 *
 * Forgetting a person (erasing an account, closing its publisher) destroys
 * both: what stays in the log is a reference no remaining key links back,
 * and no HMAC of the object id is left to test a guess against. Someone who
 * acts again afterwards gets a new reference.
 *
 * Service and system actors are not people: they stay as they are.
 */
export class ActorReferences {
  private indexKey: Promise<Buffer> | undefined;

  constructor(
    private readonly keys: KeyStore,
    private readonly personalData: PersonalDataCodec,
  ) {}

  /** The actor as events record it: a user by reference, with the object id to seal (EventCodec seals `actor.objectId`). */
  async recorded(actor: Actor): Promise<Actor> {
    if (actor.kind !== 'user') return actor;
    const { id: objectId, ...rest } = actor;
    return { ...rest, id: await this.referenceOf(objectId), objectId };
  }

  /** The id an actor is known by in what is written (a user's reference, anyone else's own id). */
  async idOf(actor: Actor): Promise<string> {
    return actor.kind === 'user' ? this.referenceOf(actor.id) : actor.id;
  }

  /** The reference of the person with this object id, made on first use. */
  async referenceOf(objectId: string): Promise<string> {
    const key = await this.keys.getOrCreate(lookupSubject(await this.index(objectId)));
    return referenceFrom(key);
  }

  /** The reference of a person already known, or null (never seen, or forgotten since). */
  async existingReferenceOf(objectId: string): Promise<string | null> {
    const subject = lookupSubject(await this.index(objectId));
    const key = (await this.keys.getMany([subject])).get(subject);
    return key ? referenceFrom(key) : null;
  }

  /**
   * The ids an audit filter on `actorId` matches: the id as given (a
   * reference, a service identity, or an object id as events before
   * references hold it) and, for the object id of a person not forgotten,
   * their reference.
   */
  async filterIds(actorId: string): Promise<string[]> {
    const reference = ACTOR_REFERENCE.test(actorId) ? null : await this.existingReferenceOf(actorId);
    return reference ? [actorId, reference] : [actorId];
  }

  /**
   * Who recorded actors are, for auditors (one key lookup for all): a user's
   * object id while their person is not erased, `erased` after; a service's
   * own id; nothing for the system.
   */
  async shown(actors: readonly Pick<Actor, 'id' | 'kind' | 'objectId'>[]): Promise<ShownActor[]> {
    const opened = await this.personalData.openMany(actors.map((actor) => actor.objectId ?? null));
    return actors.map((actor, i) => {
      const objectId = opened[i];
      if (actor.kind === 'system') return { objectId: null, erased: false };
      if (typeof objectId === 'string') return { objectId, erased: false };
      if (objectId !== null) return { objectId: null, erased: true };
      // a service, or a user recorded before references: the id is the object id
      return ACTOR_REFERENCE.test(actor.id) ? { objectId: null, erased: true } : { objectId: actor.id, erased: false };
    });
  }

  /** The references among these ids whose person was erased (their link key is gone); one key lookup. */
  async erasedAmong(ids: readonly string[]): Promise<Set<string>> {
    const references = [...new Set(ids.filter((id) => ACTOR_REFERENCE.test(id)))];
    if (references.length === 0) return new Set();
    const linked = await this.keys.getMany(references.map(actorSubject));
    for (const key of linked.values()) key.fill(0);
    return new Set(references.filter((reference) => !linked.has(actorSubject(reference))));
  }

  /**
   * Forgets people as actors: deletes their lookup rows and destroys the keys
   * that link their references to them. Returns the key-store subjects it
   * destroyed (so callers can drop values opened under them).
   */
  async forget(objectIds: readonly string[]): Promise<string[]> {
    const lookups = await Promise.all([...new Set(objectIds)].map(async (objectId) => lookupSubject(await this.index(objectId))));
    const found = await this.keys.getMany(lookups);
    const links = [...found.values()].map((key) => actorSubject(referenceFrom(key)));
    return this.keys.destroyMany([...links, ...lookups]);
  }

  private async index(objectId: string): Promise<string> {
    this.indexKey ??= this.keys.getOrCreate(INDEX_SUBJECT).catch((error: unknown) => {
      this.indexKey = undefined; // ask again next time
      throw error;
    });
    const key = await this.indexKey;
    // object ids are GUIDs: one person whatever the case a token or an input spells it in
    return createHmac('sha256', key).update(objectId.toLowerCase()).digest('base64url');
  }
}

export interface ShownActor {
  objectId: string | null;
  erased: boolean;
}

function referenceFrom(lookupKey: Buffer): string {
  const hex = createHmac('sha256', lookupKey).update('privacy-ledger/actor-reference/v1').digest('hex');
  lookupKey.fill(0);
  return `actor-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
