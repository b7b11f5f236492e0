import { Arg, Ctx, FieldResolver, Query, Resolver } from 'type-graphql';
import { AnalyticsType, DayCountType, OfferKindStatusCountType, PublisherStatusCountType } from '../schema/analytics.type.js';
import type { RequestContext } from './context.js';
import { allowAnalyst } from './analyst-access.js';

@Resolver(() => AnalyticsType)
export class AnalyticsResolver {
  @Query(() => AnalyticsType, { description: 'Counts for analysts; nothing in them is personal data.' })
  analytics(@Ctx() ctx: RequestContext): AnalyticsType {
    allowAnalyst(ctx);
    return {};
  }

  @FieldResolver(() => [PublisherStatusCountType], { description: 'Publishers by registration status, every status listed.' })
  publishersByStatus(@Ctx() ctx: RequestContext): Promise<PublisherStatusCountType[]> {
    return ctx.services.analytics.publishersByStatus();
  }

  @FieldResolver(() => [OfferKindStatusCountType], { description: 'Offers by kind and status (deleted ones as DELETED), every pair listed.' })
  offersByKindAndStatus(@Ctx() ctx: RequestContext): Promise<OfferKindStatusCountType[]> {
    return ctx.services.analytics.offersByKindAndStatus();
  }

  @FieldResolver(() => [DayCountType], { description: 'Changes and erasures per UTC day, each day of the range listed (at most 366).' })
  changesPerDay(
    @Arg('from', () => String, { description: 'First day, YYYY-MM-DD.' }) from: string,
    @Arg('to', () => String, { description: 'Last day, YYYY-MM-DD (inclusive).' }) to: string,
    @Ctx() ctx: RequestContext,
  ): Promise<DayCountType[]> {
    return ctx.services.analytics.changesPerDay(from, to);
  }
}
