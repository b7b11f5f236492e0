import type { EventCodec } from '../events/store/event-codec.js';
import type { EventStore } from '../events/store/event-store.js';
import { publisherStream, type AadUserAdded, type PublisherRegistered } from '../events/publisher/publisher.events.js';
import type { ActorReferences } from './actor-references.js';
import type { PersonalDataCodec } from './personal-data-codec.js';

const ADDING = new Set(['PublisherRegistered', 'AadUserAdded']);

/** Whether the person with this object id is still an account of a publisher other than `publisherId`. */
export type AccountElsewhere = (objectId: string, publisherId: string) => Promise<boolean>;

/**
 * Forgets, as actors, the people behind AAD accounts being erased. Their
 * object ids are read from the publisher's stream, which only the
 * accounts' keys open: erasure must call this before it destroys them (a
 * retry after a crash in between finds the same object ids again).
 *
 * A person who is still an account of another publisher is not forgotten:
 * references are per person, so forgetting them would take that other
 * publisher from their `me` and show their changes there as an erased
 * actor's. Their object id then stays linked to the erased account's
 * actions until they are erased there too (docs/privacy.md); a reference
 * per account would remove that, and is the next step.
 */
export class AccountActors {
  constructor(
    private readonly store: EventStore,
    private readonly codec: EventCodec,
    private readonly actors: ActorReferences,
    private readonly personalData: PersonalDataCodec,
    private readonly accountElsewhere: AccountElsewhere = async () => false,
  ) {}

  async forget(publisherId: string, accountIds: readonly string[]): Promise<void> {
    if (accountIds.length === 0) return;
    const wanted = new Set(accountIds);
    const adding = (await this.store.readStream(publisherStream(publisherId))).filter((event) => ADDING.has(event.type));
    const events = await this.codec.decode<PublisherRegistered | AadUserAdded>(adding);
    const objectIds = events
      .map((event) => (event.type === 'AadUserAdded' ? event.data.user : event.data.firstUser))
      .filter((user) => user !== undefined && wanted.has(user.accountId))
      // an account whose key is gone already (a retried erasure) reads as erased: nothing left to find
      .flatMap((user) => (typeof user!.objectId === 'string' ? [user!.objectId] : []));
    const elsewhere = await Promise.all(objectIds.map((objectId) => this.accountElsewhere(objectId, publisherId)));
    const forgotten = objectIds.filter((_, i) => !elsewhere[i]);
    for (const subjectId of await this.actors.forget(forgotten)) this.personalData.forget(subjectId);
  }
}
