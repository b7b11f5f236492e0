import type { EventCodec } from '../events/store/event-codec.js';
import type { EventStore } from '../events/store/event-store.js';
import { publisherStream, type AadUserAdded, type PublisherRegistered } from '../events/publisher/publisher.events.js';
import type { ActorReferences } from './actor-references.js';

const ADDING = new Set(['PublisherRegistered', 'AadUserAdded']);

/** Ends the grants that name these person references (src/events/access-grant/forgotten-grantees.ts). */
export interface GranteeGrants {
  /** `after`: only grants requested past this log position */
  revokeGrantsOf(grantees: readonly string[], correlationId: string, after?: number): Promise<number>;
  /** records, before they are forgotten, the references an erasure of the publisher's account forgets (GranteesForgotten) */
  noteForgotten(
    publisherId: string,
    grantees: readonly string[],
    after: number,
    correlationId: string,
  ): Promise<number>;
  /** what such records of the publisher hold: every reference, and the earliest position */
  forgottenAt(publisherId: string): Promise<{ grantees: string[]; requestedAfter: number } | undefined>;
}

/**
 * Forgets the person references of the people behind AAD accounts being
 * erased. What they did as members is recorded by account, which erasing
 * the account unlinks by itself (src/privacy/actor-references.ts); a person
 * reference can still name them in what they did without an account there
 * (a request that raced its account's removal) and in events written while
 * members were recorded by person reference. Forgetting it takes nothing
 * from their other accounts: `me` and their actions there go by account.
 * Their object ids are read from the publisher's stream, which only the
 * accounts' keys open: erasure must call this before it destroys them (a
 * retry after a crash in between finds the same object ids again).
 *
 * A forgotten person's grants could never be used again (they name the
 * reference, which nothing leads back to), so they are revoked first,
 * visibly: revoked before forgotten, so that a retry after a crash in
 * between still finds the reference and revokes what is left; and the log
 * is read again after, for a grant the person requested meanwhile. What
 * that second read needs (the references and where to read from) is
 * recorded in the log before the forgetting, since after it nothing finds
 * the references again: a crash before the second read leaves a retry or
 * the next start that record to read from.
 */
export class AccountActors {
  constructor(
    private readonly store: EventStore,
    private readonly codec: EventCodec,
    private readonly actors: ActorReferences,
    private readonly grants: GranteeGrants,
  ) {}

  /**
   * `correlationId`: the erasure's, which the revocations carry. Returns the
   * last log position of the grant streams of the people (0: none).
   */
  async forget(publisherId: string, accountIds: readonly string[], correlationId: string): Promise<number> {
    if (accountIds.length === 0) return 0;
    const wanted = new Set(accountIds);
    const adding = (await this.store.readStream(publisherStream(publisherId))).filter((event) =>
      ADDING.has(event.type),
    );
    const events = await this.codec.decode<PublisherRegistered | AadUserAdded>(adding);
    const objectIds = events
      .map((event) => (event.type === 'AadUserAdded' ? event.data.user : event.data.firstUser))
      .filter((user) => user !== undefined && wanted.has(user.accountId))
      // an account whose key is gone already (a retried erasure) reads as erased: nothing left to find
      .flatMap((user) => (typeof user!.objectId === 'string' ? [user!.objectId] : []));
    // a grant of a reference made from here on lies past this position
    const since = await this.store.headPosition();
    const references = await Promise.all(objectIds.map((objectId) => this.actors.existingReferenceOf(objectId)));
    const known = references.filter((reference) => reference !== null);
    const before = await this.grants.revokeGrantsOf(known, correlationId);
    // Each reference is recorded before it is forgotten (the key store tells this process's caches:
    // src/privacy/forgetting.ts). Recording it is allowed (docs/privacy.md, Actors): a reference is
    // random, nothing leads from it to the person once forgotten, and it already names their actions and
    // grants in the log; the record names no account or object id.
    let noted = 0;
    const forgotten = await this.actors.forget(objectIds, async (references) => {
      noted = Math.max(noted, await this.grants.noteForgotten(publisherId, references, since, correlationId));
    });
    // A grant the person requested meanwhile (under a reference made
    // meanwhile, perhaps) and appended before the forgetting may lie past the
    // first read: the log is read again from `since`, or from where an earlier
    // attempt that crashed after forgetting recorded it. One appended after
    // the forgetting finds its reference forgotten and revokes itself
    // (AccessGrantService.request).
    const recorded = await this.grants.forgottenAt(publisherId);
    const after = await this.grants.revokeGrantsOf(
      [...new Set([...known, ...forgotten, ...(recorded?.grantees ?? [])])],
      correlationId,
      Math.min(since, recorded?.requestedAfter ?? since),
    );
    return Math.max(before, noted, after);
  }
}
