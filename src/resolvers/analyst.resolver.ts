import { Arg, Ctx, FieldResolver, ID, Query, Resolver } from 'type-graphql';
import { requireId } from '../events/publisher/publisher.validation.js';
import {
  AnalyticsType,
  DayCountType,
  OfferKindStatusCountType,
  PublisherStatusCountType,
} from '../schema/analytics.type.js';
import { MaskedPublisherType } from '../schema/masked.type.js';
import type { RequestContext } from './context.js';
import { orNotFound } from './publisher.resolver.js';

/** What the analyst role reads: counts, and publishers with their personal values masked. */
@Resolver(() => AnalyticsType)
export class AnalystResolver {
  @Query(() => AnalyticsType, { description: 'Counts for analysts; nothing in them is personal data.' })
  analytics(): AnalyticsType {
    return {};
  }

  @Query(() => MaskedPublisherType, {
    description:
      'A publisher and its offers with every personal value masked or pseudonymous: what the analyst role sees. Not recorded as a privacy request (nothing personal is shown).',
  })
  async maskedPublisher(
    @Arg('id', () => ID, { description: 'The publisher id.' }) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<MaskedPublisherType> {
    const publisherId = requireId('id', id);
    return orNotFound(
      'publisher',
      publisherId,
      (await ctx.services.maskedPublishers.publisher(publisherId)) as MaskedPublisherType | null,
    );
  }

  @FieldResolver(() => [PublisherStatusCountType], {
    description: 'Publishers by registration status, every status listed.',
  })
  publishersByStatus(@Ctx() ctx: RequestContext): Promise<PublisherStatusCountType[]> {
    return ctx.services.analytics.publishersByStatus();
  }

  @FieldResolver(() => [OfferKindStatusCountType], {
    description: 'Offers by kind and status (deleted ones as DELETED), every pair listed.',
  })
  offersByKindAndStatus(@Ctx() ctx: RequestContext): Promise<OfferKindStatusCountType[]> {
    return ctx.services.analytics.offersByKindAndStatus();
  }

  @FieldResolver(() => [DayCountType], {
    description:
      'Changes, erasures, disclosures, contact lists, access grants and emergency accesses per UTC day, each day of the range listed (at most 366).',
  })
  changesPerDay(
    @Arg('from', () => String, { description: 'First day, YYYY-MM-DD.' }) from: string,
    @Arg('to', () => String, { description: 'Last day, YYYY-MM-DD (inclusive).' }) to: string,
    @Ctx() ctx: RequestContext,
  ): Promise<DayCountType[]> {
    return ctx.services.analytics.changesPerDay(from, to);
  }
}
