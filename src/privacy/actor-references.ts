import { createHmac } from 'node:crypto';
import type { Actor } from '../events/store/event-envelope.js';
import { aadAccountSubject, actorSubject } from './data-subjects.js';
import type { KeyStore } from './keys/key-store.js';
import type { PersonalDataCodec } from './personal-data-codec.js';
import { keyIdOf } from './personal-value.js';

export { actorSubject };

/** The lookup from an object id to its reference: one key-store row per person, named by a keyed HMAC of the object id. */
const lookupSubject = (index: string): string => `actor-lookup/${index}`;

/** The key of the lookup's HMAC: a key-store key (never destroyed), so it survives master-key rotation like the data keys. */
const INDEX_SUBJECT = 'actor-lookup-index';

/** What a user actor is named by in events, read models and exports: `actor-` and 32 hex digits grouped as a UUID. */
export const ACTOR_REFERENCE = /^actor-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The account a member has at a publisher now (its accountId), or null. */
export interface MemberAccounts {
  accountOf(objectId: string, publisherId: string): Promise<string | null>;
}

/**
 * Pseudonymous references for user actors (issue 18), never their object id.
 *
 * A member acting on a publisher's streams (the publisher, its offers, its
 * privacy requests, its registration code) is named by its account there:
 * `actor.id` is the accountId, `actor.publisherId` the publisher, and the
 * object id is sealed under the account's own key, which erasing the
 * account (or closing the publisher) destroys. So a person who is an account
 * of two publishers is two actors, and erasing one account unlinks them
 * from that publisher's events only.
 *
 * Anyone else who is a person (staff: operators, auditors, analysts; a
 * member without an account at the publisher, as when it was removed while
 * its request ran) is named by a person reference. Two key-store rows stand
 * for each such person:
 *
 * - `actor-lookup/<HMAC(object id)>`: object id -> reference. The reference
 *   is derived from this row's random key, so it carries nothing of the
 *   object id, and the row is created atomically (racing requests of one
 *   person get one reference). Being a row of the key store it is deleted
 *   with secure_delete and a truncated WAL, and survives rotation re-wrapped.
 * - `actor/<reference>`: the key that seals the object id in event metadata,
 *   so an auditor can still see who a reference is.
 *
 * Forgetting a person (erasing one of their accounts, closing its
 * publisher) destroys both: what stays in the log is a reference no
 * remaining key links back, and no HMAC of the object id is left to test a
 * guess against. Someone who acts again afterwards gets a new reference.
 *
 * Service and system actors are not people: they stay as they are.
 */
export class ActorReferences {
  private indexKey: Promise<Buffer> | undefined;

  constructor(
    private readonly keys: KeyStore,
    private readonly personalData: PersonalDataCodec,
    /** where members' accounts are found (none: every user by person reference) */
    private readonly accounts?: MemberAccounts,
  ) {}

  /**
   * The actor as events record it, acting on `publisherId`'s streams: a
   * member by its account there, its object id sealed here under the
   * account's key (or left out when that key is gone: the account was erased
   * meanwhile, and no new key may be made for it); another user by person
   * reference, with the object id for EventCodec to seal. `newAccountId`: the
   * account the command itself creates for its actor (a registrant).
   */
  async recorded(actor: Actor, publisherId?: string, newAccountId?: string): Promise<Actor> {
    if (actor.kind !== 'user') return actor;
    const objectId = actor.id;
    const accountId = await this.accountIdOf(actor, publisherId, newAccountId);
    const recorded = withoutId(actor);
    if (accountId === null) {
      recorded.id = await this.referenceOf(objectId);
      recorded.objectId = objectId;
      return recorded;
    }
    const subjectId = aadAccountSubject(publisherId!, accountId);
    const key = newAccountId
      ? await this.keys.getOrCreate(subjectId)
      : (await this.keys.getMany([subjectId])).get(subjectId);
    recorded.id = accountId;
    recorded.publisherId = publisherId!;
    if (!key) return recorded;
    try {
      recorded.objectId = this.personalData.sealWith(key, subjectId, objectId);
      return recorded;
    } finally {
      key.fill(0);
    }
  }

  /** The id an actor is known by in what is written on `publisherId`'s streams (a member's account, a user's reference, anyone else's own id). */
  async idOf(actor: Actor, publisherId?: string): Promise<string> {
    if (actor.kind !== 'user') return actor.id;
    return (await this.accountIdOf(actor, publisherId)) ?? this.referenceOf(actor.id);
  }

  private async accountIdOf(
    actor: Actor,
    publisherId: string | undefined,
    newAccountId?: string,
  ): Promise<string | null> {
    if (newAccountId) return newAccountId;
    if (actor.role !== 'member' || !publisherId || !this.accounts) return null;
    return this.accounts.accountOf(actor.id, publisherId);
  }

  /** The key a membership is indexed by in the read model (never in the log): an HMAC of the object id, one per person. */
  async memberIndexOf(objectId: string): Promise<string> {
    return this.index(objectId);
  }

  /** {@link memberIndexOf} of sealed object ids, opened with one key lookup; null where erased. */
  async memberIndexesOf(sealedObjectIds: readonly unknown[]): Promise<(string | null)[]> {
    const opened = await this.personalData.openMany(sealedObjectIds);
    return Promise.all(opened.map(async (objectId) => (typeof objectId === 'string' ? this.index(objectId) : null)));
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
   * The ids an audit filter on `actorId` matches: the id as given (an
   * account, a reference, a service identity, or an object id as events
   * before references hold it) and, for the object id of a person, their
   * reference while not forgotten and `accountIds`, the accounts they have
   * (their keys not destroyed).
   */
  async filterIds(actorId: string, accountIds: (index: string) => Promise<string[]>): Promise<string[]> {
    if (ACTOR_REFERENCE.test(actorId)) return [actorId];
    const [reference, accounts] = await Promise.all([
      this.existingReferenceOf(actorId),
      this.index(actorId).then(accountIds),
    ]);
    return [...new Set([actorId, ...(reference ? [reference] : []), ...accounts])];
  }

  /**
   * Who recorded actors are, for auditors (one key lookup for all): a user's
   * object id while their account (or person) is not erased, `erased`
   * after; a service's own id; nothing for the system.
   */
  async shown(actors: readonly Pick<Actor, 'id' | 'kind' | 'objectId' | 'publisherId'>[]): Promise<ShownActor[]> {
    const opened = await this.personalData.openMany(actors.map((actor) => actor.objectId ?? null));
    return actors.map((actor, i) => {
      const objectId = opened[i];
      if (actor.kind === 'system') return { objectId: null, erased: false };
      if (typeof objectId === 'string') return { objectId, erased: false };
      // an account recorded without its object id: the account was erased before the event was written
      if (objectId !== null || actor.publisherId !== undefined) return { objectId: null, erased: true };
      // a service, or a user recorded before references: the id is the object id
      return ACTOR_REFERENCE.test(actor.id) ? { objectId: null, erased: true } : { objectId: actor.id, erased: false };
    });
  }

  /** The actors among these whose account or person was erased (the key that links them is gone), by id; one key lookup. */
  async erasedAmong(actors: readonly Pick<Actor, 'id' | 'publisherId'>[]): Promise<Set<string>> {
    const linkOf = (actor: Pick<Actor, 'id' | 'publisherId'>) =>
      actor.publisherId !== undefined
        ? aadAccountSubject(actor.publisherId, actor.id)
        : ACTOR_REFERENCE.test(actor.id)
          ? actorSubject(actor.id)
          : null;
    const linked = actors.filter((actor) => linkOf(actor) !== null);
    if (linked.length === 0) return new Set();
    const keys = await this.keys.getMany([...new Set(linked.map((actor) => linkOf(actor)!))]);
    for (const key of keys.values()) key.fill(0);
    return new Set(linked.filter((actor) => !keys.has(linkOf(actor)!)).map((actor) => actor.id));
  }

  /**
   * Forgets people as actors: deletes their lookup rows and destroys the keys
   * that link their references to them. Returns the references it forgot
   * (one made a moment ago included), whose grants must end (AccountActors).
   * `recording` is given each batch of references before they are destroyed
   * (after, nothing could find them again). A lookup row is deleted only if
   * it is the one read (its key id), so a reference made between the read
   * and the delete is read, recorded and deleted in the next round rather
   * than lost unrecorded. The `actor/` keys go first: a crash in between
   * leaves the lookup, which a retry finds.
   */
  async forget(
    objectIds: readonly string[],
    recording?: (references: string[]) => Promise<unknown>,
  ): Promise<string[]> {
    const lookups = await Promise.all(
      [...new Set(objectIds)].map(async (objectId) => lookupSubject(await this.index(objectId))),
    );
    const forgotten: string[] = [];
    for (;;) {
      const found = await this.keys.getMany(lookups);
      if (found.size === 0) return forgotten;
      const rows = [...found].map(([subjectId, key]) => ({ subjectId, keyId: keyIdOf(key) }));
      const references = [...found.values()].map(referenceFrom); // zeroes the keys
      await recording?.(references);
      await this.keys.destroyMany(references.map(actorSubject));
      await this.keys.destroyKeys(rows);
      forgotten.push(...references);
    }
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

/**
 * A copy of the actor to record it under another id (set by the caller),
 * its fields in their order (as `{ ...rest, id }` after `{ id, ...rest }`). A request's
 * actor (id, kind, role) is copied by name: the rest pattern takes V8's
 * generic copy, which with the spreads that followed it was a microsecond
 * of each durable mutation (a tenth of encoding its event; profile, Dec 2026).
 */
function withoutId(actor: Actor): Actor {
  if (Object.keys(actor).length === (actor.role === undefined ? 2 : 3) && actor.objectId === undefined)
    return actor.role === undefined ? { kind: actor.kind, id: '' } : { kind: actor.kind, role: actor.role, id: '' };
  const { id: _id, ...rest } = actor;
  return { ...rest, id: '' };
}

function referenceFrom(lookupKey: Buffer): string {
  const hex = createHmac('sha256', lookupKey).update('privacy-ledger/actor-reference/v1').digest('hex');
  lookupKey.fill(0);
  return `actor-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
