import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { requireId } from '../events/publisher/publisher.validation.js';
import { IDEMPOTENCY_KEY_DESCRIPTION } from '../schema/change.input.js';
import { PageArgs, type ConnectionShape } from '../schema/connection.js';
import {
  DeletedPrivacyRequestRecord,
  PrivacyRequestConnection,
  type PrivacyRequestRecordType,
} from '../schema/privacy-request.type.js';
import type { RequestContext } from './context.js';
import { pageSize, toConnection } from './pagination.js';
import { parsePosition } from './publisher.resolver.js';

@Resolver()
export class PrivacyRequestResolver {
  @Query(() => PrivacyRequestConnection, {
    description:
      "A publisher's privacy request records, newest first. With `minPosition`, waits (bounded) for that log position.",
  })
  async privacyRequests(
    @Arg('publisherId', () => ID, { description: 'The publisher.' }) publisherId: string,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('minPosition', () => String, { nullable: true, description: 'A log position returned by a mutation.' })
    minPosition: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionShape<PrivacyRequestRecordType>> {
    const id = requireId('publisherId', publisherId);
    const first = pageSize(page);
    if (minPosition != null) await ctx.services.waitForPosition(parsePosition(minPosition));
    return toConnection(await ctx.services.privacyRequestQueries.forPublisher(id, first, page.after));
  }

  @Mutation(() => DeletedPrivacyRequestRecord, {
    description: 'Deletes one privacy request record. The change it recorded stays in the audit log.',
  })
  async deletePrivacyRequestRecord(
    @Arg('id', () => ID, { description: 'The record to delete.' }) id: string,
    @Arg('idempotencyKey', () => String, { nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION })
    idempotencyKey: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<DeletedPrivacyRequestRecord> {
    const result = await ctx.services.privacyRequests.deleteRecord(id, idempotencyKey, ctx.command);
    return { id: result.id, position: String(result.position) };
  }
}
