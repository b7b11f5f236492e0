import { Arg, Args, Ctx, Query, Resolver } from 'type-graphql';
import type { ShownActor } from '../privacy/actor-references.js';
import type { AuditEntry } from '../projections/audit-trail/audit-trail.projection.js';
import { AuditEntryConnection, AuditTrailFilterInput, type AuditEntryType } from '../schema/audit.type.js';
import { PageArgs, type PageShape } from '../schema/connection.js';
import type { RequestContext } from './context.js';
import { pageSize, toPage } from './pagination.js';
import { parsePosition } from './publisher.resolver.js';

@Resolver()
export class AuditResolver {
  @Query(() => AuditEntryConnection, {
    description:
      'Every change in the log, newest first, filtered by time range, actor, event types and publisher. With `minPosition`, waits (bounded) for that log position.',
  })
  async auditTrail(
    @Arg('filter', () => AuditTrailFilterInput, { nullable: true, description: 'Which entries; all when omitted.' })
    filter: AuditTrailFilterInput | null,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('minPosition', () => String, { nullable: true, description: 'A log position returned by a mutation.' })
    minPosition: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<PageShape<AuditEntryType>> {
    const first = pageSize(page);
    if (minPosition != null) await ctx.services.waitForPosition(parsePosition(minPosition));
    const entries = await ctx.services.auditQueries.page(filter ?? {}, first, page.after);
    const shown = await ctx.services.actors.shown(entries.items.map((entry) => entry.actor));
    return toPage({ ...entries, items: entries.items.map((entry, i) => toEntryType(entry, shown[i]!)) });
  }
}

function toEntryType(entry: AuditEntry, shown: ShownActor): AuditEntryType {
  const kind = entry.actor.kind.toUpperCase() as Uppercase<AuditEntry['actor']['kind']>;
  const { id, role } = entry.actor;
  return { ...entry, position: String(entry.position), actor: { id, kind, role, ...shown } };
}
