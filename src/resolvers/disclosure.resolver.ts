import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { requireId } from '../events/publisher/publisher.validation.js';
import type { DisclosureView } from '../projections/disclosure/disclosure.queries.js';
import { PageArgs, type ConnectionShape } from '../schema/connection.js';
import { RecordDisclosureInput } from '../schema/disclosure.input.js';
import { DisclosureConnection, RecordedDisclosureType, type DisclosureType } from '../schema/disclosure.type.js';
import type { RequestContext } from './context.js';
import { pageSize, toConnection } from './pagination.js';
import { parsePosition } from './publisher.resolver.js';

/** Disclosures of a publisher's data to third parties: recorded by operators, seen by auditors, and by members once notice may be given. */
@Resolver()
export class DisclosureResolver {
  @Mutation(() => RecordedDisclosureType, {
    description:
      "Records a disclosure of a publisher's data that happened: to whom, which fields (by label), why, when, and whether the publisher was notified or notice is withheld by law (reason and until when). The disclosed values are not copied. The recipient's name is erased when the publisher's account closes.",
  })
  async recordDisclosure(
    @Arg('input', () => RecordDisclosureInput, { description: 'The disclosure.' }) input: RecordDisclosureInput,
    @Ctx() ctx: RequestContext,
  ): Promise<RecordedDisclosureType> {
    const result = await ctx.services.disclosures.record(input, ctx.command);
    return { id: result.id, position: String(result.position) };
  }

  @Query(() => DisclosureConnection, {
    description:
      "A publisher's disclosures, newest first. Its members see those the publisher was notified of, and those whose withheld notice has run out; operators and auditors see all. With `minPosition`, waits (bounded) for that log position.",
  })
  async disclosures(
    @Arg('publisherId', () => ID, { description: 'The publisher.' }) publisherId: string,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('minPosition', () => String, { nullable: true, description: 'A log position returned by a mutation.' })
    minPosition: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionShape<DisclosureType>> {
    const id = requireId('publisherId', publisherId);
    const first = pageSize(page);
    if (minPosition != null) await ctx.services.waitForPosition(parsePosition(minPosition));
    // staff by app role; a principal without one reads as a member (src/auth/permissions.ts)
    const staff = ctx.principal.roles.some((role) => role === 'operator' || role === 'auditor');
    const found = await ctx.services.disclosureQueries.forPublisher(id, staff, first, page.after);
    return toConnection({ ...found, items: found.items.map(toType) });
  }
}

function toType(view: DisclosureView): DisclosureType {
  const { notice } = view;
  return {
    ...view,
    notice:
      notice.status === 'NOTIFIED'
        ? { status: 'NOTIFIED', notifiedAt: notice.notifiedAt }
        : { status: 'WITHHELD', reason: notice.reason, until: notice.until },
  };
}
