import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { offerView, parseInstant } from '../history/point-in-time.js';
import { unlessForeign } from '../auth/foreign-id.js';
import type { OfferChange } from '../events/offer/offer.service.js';
import { requireId } from '../events/publisher/publisher.validation.js';
import { PageArgs, type ConnectionShape } from '../schema/connection.js';
import { CreateOfferInput, OfferChangeInput, UpdateOfferCustomerServiceInput } from '../schema/offer.input.js';
import { OfferConnection, OfferKind, OfferPayload, OfferStatus, OfferType } from '../schema/offer.type.js';
import type { RequestContext } from './context.js';
import { pageSize, toConnection } from './pagination.js';
import { orNotFound, parsePosition } from './publisher.resolver.js';

/** Offers. Reading `supportContacts` is recorded as a view (./read-audit.ts). */
@Resolver(() => OfferType)
export class OfferResolver {
  @Query(() => OfferType, {
    nullable: true,
    description:
      'An offer by id; a deleted offer is NOT_FOUND. `minPosition` and `asOf` as for `publisher` (as of an instant after its deletion, NOT_FOUND).',
  })
  async offer(
    @Arg('id', () => ID, { description: 'The offer id.' }) id: string,
    @Arg('minPosition', () => String, { nullable: true, description: 'A log position returned by a mutation.' })
    minPosition: string | null,
    @Arg('asOf', () => String, {
      nullable: true,
      description: 'An instant (ISO-8601 with a zone): show the offer as it stood then.',
    })
    asOf: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<OfferType> {
    const offerId = requireId('id', id);
    if (asOf != null)
      return orNotFound('offer', offerId, await ctx.services.pointInTime.offer(offerId, parseInstant('asOf', asOf)));
    if (minPosition != null) await ctx.services.waitForPosition(parsePosition(minPosition));
    return orNotFound('offer', offerId, await ctx.loaders.offer.load(offerId));
  }

  @Query(() => OfferConnection, {
    description: "A publisher's offers, newest first, optionally filtered by status and kind.",
  })
  async offers(
    @Arg('publisherId', () => ID, { description: 'The publisher.' }) publisherId: string,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('status', () => OfferStatus, { nullable: true, description: 'Only offers in this status.' })
    status: `${OfferStatus}` | null,
    @Arg('kind', () => OfferKind, { nullable: true, description: 'Only offers of this kind.' })
    kind: `${OfferKind}` | null,
    @Arg('minPosition', () => String, { nullable: true, description: 'A log position returned by a mutation.' })
    minPosition: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionShape<OfferType>> {
    const id = requireId('publisherId', publisherId);
    const first = pageSize(page);
    if (minPosition != null) await ctx.services.waitForPosition(parsePosition(minPosition));
    return toConnection(await ctx.services.offerQueries.forPublisher(id, { status, kind }, first, page.after));
  }

  @Mutation(() => OfferPayload, { description: 'Creates a draft offer for a registered publisher.' })
  async createOffer(
    @Arg('input', () => CreateOfferInput, { description: 'The new offer.' }) input: CreateOfferInput,
    @Ctx() ctx: RequestContext,
  ): Promise<OfferPayload> {
    return toPayload(
      await unlessForeign('createOffer', input.id, ctx, () => ctx.services.offers.create(input, ctx.command)),
    );
  }

  @Mutation(() => OfferPayload, {
    description: "Replaces an offer's customer-service contacts. The same list records nothing.",
  })
  async updateOfferCustomerService(
    @Arg('input', () => UpdateOfferCustomerServiceInput, { description: 'The contacts and the version edited.' })
    input: UpdateOfferCustomerServiceInput,
    @Ctx() ctx: RequestContext,
  ): Promise<OfferPayload> {
    return toPayload(await ctx.services.offers.updateCustomerService(input, ctx.command));
  }

  @Mutation(() => OfferPayload, {
    description: 'Publishes an offer: needs an approved publisher and at least one customer-service contact.',
  })
  async publishOffer(
    @Arg('input', () => OfferChangeInput, { description: 'The offer and the version edited.' }) input: OfferChangeInput,
    @Ctx() ctx: RequestContext,
  ): Promise<OfferPayload> {
    return toPayload(await ctx.services.offers.publish(input, ctx.command));
  }

  @Mutation(() => OfferPayload, {
    description:
      'Deletes an offer with its customer-service details: it disappears from every list and query; its history stays for auditors.',
  })
  async deleteOffer(
    @Arg('input', () => OfferChangeInput, { description: 'The offer and the version edited.' }) input: OfferChangeInput,
    @Ctx() ctx: RequestContext,
  ): Promise<OfferPayload> {
    return toPayload(await ctx.services.offers.delete(input, ctx.command));
  }
}

function toPayload({ offer, version, position }: OfferChange): OfferPayload {
  return { offer: offer && offerView(offer, version), version, position: String(position) };
}
