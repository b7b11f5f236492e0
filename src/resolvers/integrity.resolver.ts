import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { ValidationError } from '../errors.js';
import { IntegrityReportType } from '../schema/integrity.type.js';
import type { RequestContext } from './context.js';

/** Stream ids are `<aggregate>-<id>`; anything else cannot be in the log. */
const STREAM_ID = /^[a-z][a-z-]*-[A-Za-z0-9._:-]{1,128}$/;

@Resolver()
export class IntegrityResolver {
  @Query(() => IntegrityReportType, {
    description:
      "Recomputes every hash of one stream's chain (e.g. `publisher-<id>`, `offer-<id>`) and reports the first broken link.",
  })
  async verifyIntegrity(
    @Arg('streamId', () => String, { description: 'The stream to verify, e.g. `publisher-<id>`.' }) streamId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<IntegrityReportType> {
    if (!STREAM_ID.test(streamId)) throw new ValidationError('streamId', 'must be a stream id such as publisher-<id>');
    const report = await ctx.services.integrity.verifyStream(streamId);
    const broken = report.firstBreak;
    return {
      intact: broken === null,
      eventsChecked: report.eventsChecked,
      firstBreak: broken && { ...broken, position: String(broken.position) },
    };
  }
}
