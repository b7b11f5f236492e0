import type { GrantState } from '../events/access-grant/access-grant.events.js';
import type { CommandHandler } from '../events/command-handler.js';
import { offerDecider } from '../events/offer/offer.commands.js';
import { offerStream } from '../events/offer/offer.events.js';
import { publisherDecider } from '../events/publisher/publisher.commands.js';
import { publisherStream } from '../events/publisher/publisher.events.js';
import type { ActorReferences, MemberAccounts } from '../privacy/actor-references.js';
import type { DataCategory } from '../privacy/classification.js';
import type { MembershipQueries } from '../projections/membership/membership.queries.js';
import type { PrivacyRequestQueries } from '../projections/privacy-request/privacy-request.queries.js';
import type { AccessChecks, Answer } from './authorize.js';
import type { Principal } from './principal.js';

/**
 * Who belongs to which publisher. Membership is read from the publisher's
 * stream (CommandHandler.load: cached, reading only new events), so an
 * account removed by one request has no access on the next one, whatever
 * the read models' lag.
 */
export class Membership implements MemberAccounts {
  constructor(
    private readonly handler: CommandHandler,
    private readonly privacyRequests: PrivacyRequestQueries,
    private readonly memberships: MembershipQueries,
    private readonly actors: ActorReferences,
    /** the active grant of a person (by object id) on a publisher's category (src/events/access-grant/access-grant.service.ts) */
    private readonly activeGrant: (
      objectId: string,
      publisherId: string,
      category: DataCategory,
      offerId?: string,
    ) => Promise<GrantState | null>,
  ) {}

  /** The checks for one request, each answer memoised for the request (and given synchronously once known); each memo is made on first use. */
  checksFor(principal: Principal): AccessChecks {
    let members: RequestMemo<boolean> | undefined;
    let offers: RequestMemo<string | null> | undefined;
    let owners: RequestMemo<string | null> | undefined;
    let records: RequestMemo<string | null> | undefined;
    let grants: RequestMemo<GrantState | null> | undefined;
    return {
      isMember: (publisherId) =>
        (members ??= new RequestMemo((id) => this.isMember(principal.id, id))).get(publisherId),
      publisherOfOffer: (offerId) =>
        (offers ??= new RequestMemo((id) => this.publisherOfOffer(id, false))).get(offerId),
      ownerOfOffer: (offerId) => (owners ??= new RequestMemo((id) => this.publisherOfOffer(id, true))).get(offerId),
      publisherOfRecord: (recordId) =>
        (records ??= new RequestMemo(async (id) => (await this.privacyRequests.locate(id))?.publisherId ?? null)).get(
          recordId,
        ),
      grantFor: (publisherId, category, offerId) =>
        (grants ??= new RequestMemo((key) => {
          const [publisher, scope, offer] = key.split('\u0000') as [string, DataCategory, string];
          return this.activeGrant(principal.id, publisher, scope, offer || undefined);
        })).get(`${publisherId}\u0000${category}\u0000${offerId ?? ''}`),
    };
  }

  /** The publishers the principal is a member of now (found through the read model, confirmed by each stream). */
  async publishersOf(principal: Principal): Promise<string[]> {
    return this.publishersOfPerson(principal.id);
  }

  /** The publishers the person with this AAD object id is an account of now. */
  async publishersOfPerson(objectId: string): Promise<string[]> {
    const candidates = await this.memberships.publisherIds(await this.actors.memberIndexOf(objectId));
    const confirmed = await Promise.all(candidates.map((id) => this.isMember(objectId, id)));
    return candidates.filter((_, i) => confirmed[i]);
  }

  /** The ids an audit filter on `actorId` matches (ActorReferences.filterIds): for a person, their accounts too. */
  async actorIds(actorId: string): Promise<string[]> {
    return this.actors.filterIds(actorId, (index) => this.memberships.accountIds(index));
  }

  /** The member's account at the publisher now (from its stream), or null. */
  async accountOf(objectId: string, publisherId: string): Promise<string | null> {
    const { state } = await this.handler.load(publisherDecider, publisherStream(publisherId));
    return state.status === 'registered'
      ? (state.aadUsers.find((user) => user.objectId === objectId)?.accountId ?? null)
      : null;
  }

  private async isMember(objectId: string, publisherId: string): Promise<boolean> {
    return (await this.accountOf(objectId, publisherId)) !== null;
  }

  private async publisherOfOffer(offerId: string, deleted: boolean): Promise<string | null> {
    const { state } = await this.handler.load(offerDecider, offerStream(offerId));
    if (state.status === 'none') return null;
    return deleted || state.status === 'DRAFT' || state.status === 'PUBLISHED' ? state.publisherId : null;
  }
}

/** One request's answers by key: asked once, then the promise while pending, then the value itself (never a promise). */
class RequestMemo<T extends boolean | string | object | null> {
  private readonly answers = new Map<string, T | Promise<T>>();

  constructor(private readonly ask: (key: string) => Promise<T>) {}

  get(key: string): Answer<T> {
    let answer = this.answers.get(key);
    if (answer === undefined) {
      answer = this.ask(key).then((value) => {
        this.answers.set(key, value);
        return value;
      });
      this.answers.set(key, answer);
    }
    return answer;
  }
}
