import { Ctx, Query, Resolver } from 'type-graphql';
import type { PublisherView } from '../projections/publisher/publisher.queries.js';
import { MeType } from '../schema/me.type.js';
import type { RequestContext } from './context.js';

@Resolver(() => MeType)
export class MeResolver {
  @Query(() => MeType, { description: 'The principal of the bearer token, and the publishers it belongs to.' })
  async me(@Ctx() ctx: RequestContext): Promise<MeType> {
    const { principal } = ctx;
    const ids = await ctx.services.membership.publishersOf(principal);
    const publishers = await ctx.loaders.publisher.loadMany(ids);
    return {
      id: principal.id,
      kind: principal.kind,
      roles: [...principal.roles],
      userPrincipalName: principal.userPrincipalName ?? null,
      displayName: principal.displayName ?? null,
      publishers: publishers.filter((p): p is PublisherView => p !== null && !(p instanceof Error)),
    };
  }
}
