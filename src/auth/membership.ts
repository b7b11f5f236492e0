import type { CommandHandler } from '../events/command-handler.js';
import { offerDecider } from '../events/offer/offer.commands.js';
import { offerStream } from '../events/offer/offer.events.js';
import { publisherDecider } from '../events/publisher/publisher.commands.js';
import { publisherStream } from '../events/publisher/publisher.events.js';
import type { BlindIndex } from '../privacy/blind-index.js';
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
export class Membership {
  constructor(
    private readonly handler: CommandHandler,
    private readonly privacyRequests: PrivacyRequestQueries,
    private readonly memberships: MembershipQueries,
    private readonly objectIds: BlindIndex,
  ) {}

  /** The checks for one request, each answer memoised for the request (and given synchronously once known). */
  checksFor(principal: Principal): AccessChecks {
    const members = new RequestMemo<boolean>((publisherId) => this.isMember(principal.id, publisherId));
    const offers = new RequestMemo<string | null>((offerId) => this.publisherOfOffer(offerId));
    const records = new RequestMemo<string | null>(async (recordId) => (await this.privacyRequests.locate(recordId))?.publisherId ?? null);
    return {
      isMember: (publisherId) => members.get(publisherId),
      publisherOfOffer: (offerId) => offers.get(offerId),
      publisherOfRecord: (recordId) => records.get(recordId),
    };
  }

  /** The publishers the principal is a member of now (found through the read model, confirmed by each stream). */
  async publishersOf(principal: Principal): Promise<string[]> {
    const candidates = await this.memberships.publisherIds(this.objectIds.of(principal.id));
    const confirmed = await Promise.all(candidates.map((id) => this.isMember(principal.id, id)));
    return candidates.filter((_, i) => confirmed[i]);
  }

  private async isMember(objectId: string, publisherId: string): Promise<boolean> {
    const { state } = await this.handler.load(publisherDecider, publisherStream(publisherId));
    return state.status === 'registered' && state.aadUsers.some((user) => user.objectId === objectId);
  }

  private async publisherOfOffer(offerId: string): Promise<string | null> {
    const { state } = await this.handler.load(offerDecider, offerStream(offerId));
    return state.status === 'draft' || state.status === 'published' ? state.publisherId : null;
  }
}

/** One request's answers by key: asked once, then the promise while pending, then the value itself. */
class RequestMemo<T> {
  private readonly known = new Map<string, T>();
  private readonly pending = new Map<string, Promise<T>>();

  constructor(private readonly ask: (key: string) => Promise<T>) {}

  get(key: string): Answer<T> {
    if (this.known.has(key)) return this.known.get(key) as T;
    let answer = this.pending.get(key);
    if (!answer) {
      answer = this.ask(key).then((value) => {
        this.known.set(key, value);
        return value;
      });
      this.pending.set(key, answer);
    }
    return answer;
  }
}
