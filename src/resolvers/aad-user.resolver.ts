import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { AddAadUserInput, RemoveAadUserInput } from '../schema/publisher.input.js';
import { PublisherPayload } from '../schema/publisher.type.js';
import type { RequestContext } from './context.js';
import { toPayload } from './publisher.resolver.js';

/** The publisher's AAD accounts: who may act for it. */
@Resolver()
export class AadUserResolver {
  @Mutation(() => PublisherPayload, { description: 'Gives an AAD account access to the publisher.' })
  async addAadUser(
    @Arg('input', () => AddAadUserInput, { description: 'The account and the version edited.' }) input: AddAadUserInput,
    @Ctx() ctx: RequestContext,
  ): Promise<PublisherPayload> {
    return toPayload(await ctx.services.publishers.addAadUser(input, ctx.command));
  }

  @Mutation(() => PublisherPayload, {
    description: "Revokes an AAD account's access at once. Removing the last account is refused.",
  })
  async removeAadUser(
    @Arg('input', () => RemoveAadUserInput, { description: 'The account and the version edited.' })
    input: RemoveAadUserInput,
    @Ctx() ctx: RequestContext,
  ): Promise<PublisherPayload> {
    return toPayload(await ctx.services.publishers.removeAadUser(input, ctx.command));
  }
}
