import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { GrantChange } from '../events/access-grant/access-grant.service.js';
import { requireId } from '../events/publisher/publisher.validation.js';
import type { DataCategory as Category } from '../privacy/classification.js';
import { AccessGrantRefInput, RequestAccessGrantInput, RevokeAccessGrantInput } from '../schema/access-grant.input.js';
import {
  AccessGrantConnection,
  AccessGrantPayload,
  type AccessGrantType,
  type DataCategory,
} from '../schema/access-grant.type.js';
import { PageArgs, type ConnectionShape } from '../schema/connection.js';
import { grantRecord } from '../projections/access-grant/access-grant.projection.js';
import { withStatus, type AccessGrantView } from '../projections/access-grant/access-grant.queries.js';
import type { RequestContext } from './context.js';
import { pageSize, toConnection } from './pagination.js';
import { parsePosition } from './publisher.resolver.js';

/** The GraphQL enum's names for the classification's categories. */
const categoryNames: Readonly<Record<Category, `${DataCategory}`>> = {
  administrator: 'ADMINISTRATOR',
  customer: 'CUSTOMER',
  'third-party': 'THIRD_PARTY',
};
const fromCategory = (category: Category): `${DataCategory}` => categoryNames[category];
const toCategory = (name: `${DataCategory}`): Category =>
  (Object.keys(categoryNames) as Category[]).find((category) => categoryNames[category] === name)!;

function shown(grant: AccessGrantView): AccessGrantType {
  return {
    ...grant,
    categories: grant.categories.map(fromCategory),
    accesses: grant.accesses.map((access) => ({ ...access, category: fromCategory(access.category) })),
  };
}

@Resolver()
export class AccessGrantResolver {
  @Query(() => AccessGrantConnection, {
    description:
      "The access grants to a publisher's personal data, newest first, each with every read under it. With `minPosition`, waits (bounded) for that log position.",
  })
  async accessGrants(
    @Arg('publisherId', () => ID, { description: 'The publisher.' }) publisherId: string,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('minPosition', () => String, { nullable: true, description: 'A log position returned by a mutation.' })
    minPosition: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionShape<AccessGrantType>> {
    const id = requireId('publisherId', publisherId);
    const first = pageSize(page);
    if (minPosition != null) await ctx.services.waitForPosition(parsePosition(minPosition));
    const grants = await ctx.services.accessGrantQueries.forPublisher(id, first, page.after);
    return toConnection({ ...grants, items: grants.items.map(shown) });
  }

  @Mutation(() => AccessGrantPayload, {
    description:
      "Requests the caller's own access to a publisher's personal values (an operator's): which categories, why, for which ticket, until when. Active at once, or once a second operator approves it (ACCESS_GRANT_APPROVAL).",
  })
  async requestAccessGrant(
    @Arg('input', () => RequestAccessGrantInput, { description: 'What access, why and until when.' })
    input: RequestAccessGrantInput,
    @Ctx() ctx: RequestContext,
  ): Promise<AccessGrantPayload> {
    const change = await ctx.services.accessGrants.request(
      { ...input, categories: input.categories.map(toCategory) },
      ctx.command,
    );
    return payload(change, ctx);
  }

  @Mutation(() => AccessGrantPayload, { description: "Approves another operator's access grant (never one's own)." })
  async approveAccessGrant(
    @Arg('input', () => AccessGrantRefInput, { description: 'The grant.' }) input: AccessGrantRefInput,
    @Ctx() ctx: RequestContext,
  ): Promise<AccessGrantPayload> {
    return payload(await ctx.services.accessGrants.approve(input, ctx.command), ctx);
  }

  @Mutation(() => AccessGrantPayload, {
    description: 'Ends an access grant now: its grantee reads masked values from the next request on.',
  })
  async revokeAccessGrant(
    @Arg('input', () => RevokeAccessGrantInput, { description: 'The grant, and why.' }) input: RevokeAccessGrantInput,
    @Ctx() ctx: RequestContext,
  ): Promise<AccessGrantPayload> {
    return payload(await ctx.services.accessGrants.revoke(input, ctx.command), ctx);
  }
}

/** The grant as the command left it (the read model may lag; its reads are in `accessGrants`). */
function payload({ grant, position }: GrantChange, ctx: RequestContext): AccessGrantPayload {
  const {
    approvedBy = null,
    approvedAt = null,
    revokedBy = null,
    revokedAt = null,
    revokeReason = null,
    ...terms
  } = grant;
  const record = { ...grantRecord(terms), approvedBy, approvedAt, revokedBy, revokedAt, revokeReason };
  return { grant: shown(withStatus(record, ctx.services.accessGrants.now())), position: String(position) };
}
