import type { GraphQLResolveInfo } from 'graphql';
import type { RequestContext } from './context.js';

/**
 * Records that a query showed a publisher's personal data (a VIEW privacy
 * request record; see ReadRecorder for how often). Called by the field
 * resolvers of the fields that carry personal data, so a query that selects
 * none of them records nothing. A mutation's payload shows what the caller
 * just sent and is recorded as the change itself, not as a view.
 */
export function recordView(ctx: RequestContext, info: GraphQLResolveInfo, publisherId: string, target: string): void {
  if (info.operation.operation !== 'query') return;
  ctx.services.readRecorder.viewed(publisherId, target, ctx.command);
}
