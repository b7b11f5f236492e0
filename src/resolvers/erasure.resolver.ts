import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { requireId } from '../events/publisher/publisher.validation.js';
import type { ErasureResult } from '../events/erasure/erasure.service.js';
import { ClosePublisherAccountInput, ErasePersonalDataInput } from '../schema/erasure.input.js';
import { ErasurePayload } from '../schema/erasure.type.js';
import type { RequestContext } from './context.js';
import { operationGrants } from './read-audit.js';

/** The data subjects' rights: erasure (crypto-shredding) and the export of what is held about them. */
@Resolver()
export class ErasureResolver {
  @Mutation(() => ErasurePayload, {
    description:
      'Erases one person of a publisher by destroying their key: their values read as erased everywhere (queries, history, asOf, exports) and the log stays verifiable. Recorded as a privacy request (ERASURE). Erasing again erases nothing more (erasedCount 0). An erasure racing a change of the same person either comes first (the change then reads in clear) or erases it.',
  })
  async erasePersonalData(
    @Arg('input', () => ErasePersonalDataInput, { description: 'Who to erase.' }) input: ErasePersonalDataInput,
    @Ctx() ctx: RequestContext,
  ): Promise<ErasurePayload> {
    return toPayload(await ctx.services.erasure.erase(input, ctx.command));
  }

  @Mutation(() => ErasurePayload, {
    description:
      "Closes a publisher's account: erases its contact, every AAD account it ever had and every offer's customer-service contacts (deleted offers included), withdraws its offers, and refuses any later change (status CLOSED). Recorded as one privacy request (ERASURE).",
  })
  async closePublisherAccount(
    @Arg('input', () => ClosePublisherAccountInput, { description: 'The publisher.' })
    input: ClosePublisherAccountInput,
    @Ctx() ctx: RequestContext,
  ): Promise<ErasurePayload> {
    return toPayload(await ctx.services.erasure.closeAccount(input, ctx.command));
  }

  @Query(() => String, {
    description:
      'Everything held about a publisher\'s people (contact, AAD accounts, offers\' customer-service contacts), current values and the history of each, as one JSON document; erased values as {"$erased": true}. Recorded as a privacy request (EXPORT).',
  })
  async exportPersonalData(
    @Arg('publisherId', () => ID, { description: 'The publisher.' }) publisherId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<string> {
    const id = requireId('publisherId', publisherId);
    const document = await ctx.services.personalDataExport.document(id, ctx.command);
    // recorded as an EXPORT by the document itself; under grants, against each too (durable before the export leaves)
    const grants = await operationGrants(ctx, 'exportPersonalData', {}, id);
    if (grants) await ctx.services.readRecorder.exportedUnderGrants(grants, 'personalData', ctx.command);
    return document;
  }
}

function toPayload(result: ErasureResult): ErasurePayload {
  return { subjects: result.subjectIds, erasedCount: result.subjectIds.length, position: String(result.position) };
}
