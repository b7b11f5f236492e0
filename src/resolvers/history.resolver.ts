import { Arg, Args, Ctx, ID, Query, Resolver } from 'type-graphql';
import { historyCursor, type HistoryEntry } from '../history/history.js';
import { parseInstant } from '../history/point-in-time.js';
import { requireId } from '../events/publisher/publisher.validation.js';
import { isErased } from '../privacy/personal-value.js';
import { PageArgs, type ConnectionShape } from '../schema/connection.js';
import {
  ExportFormat,
  HistoryEntryConnection,
  HistorySubjectKind,
  type HistoryEntryType,
} from '../schema/history.type.js';
import type { RequestContext } from './context.js';
import { operationGrants } from './read-audit.js';
import { pageSize } from './pagination.js';

/** Auditors: what changed, when, by whom, and the export of it all. */
@Resolver()
export class HistoryResolver {
  @Query(() => HistoryEntryConnection, {
    description:
      "A publisher's or an offer's change history, oldest first: each change with who, when and the fields it changed. A deleted offer keeps its history. Reading it is recorded as a privacy request (VIEW) of the publisher.",
  })
  async history(
    @Arg('kind', () => HistorySubjectKind, { description: 'Publisher or offer.' }) kind: `${HistorySubjectKind}`,
    @Arg('id', () => ID, { description: 'The publisher or offer id.' }) id: string,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionShape<HistoryEntryType>> {
    const subject = {
      kind: kind === 'PUBLISHER' ? ('publisher' as const) : ('offer' as const),
      id: requireId('id', id),
    };
    const first = pageSize(page);
    const after = page.after ? historyCursor.decode(page.after) : -1;
    const result = await ctx.services.history.page(subject, first, after);
    const publisherId =
      subject.kind === 'publisher' ? subject.id : await ctx.services.offerDirectory.publisherOf(subject.id);
    if (publisherId && result.entries.length > 0) await recordHistoryView(ctx, kind, subject, publisherId);
    const erased = await ctx.services.actors.erasedAmong(result.entries.map((entry) => entry.actor));
    const edges = result.entries.map((entry) => ({
      node: toEntryType(entry, erased.has(entry.actor.id)),
      cursor: historyCursor.encode(entry.revision),
    }));
    return {
      edges,
      pageInfo: { hasNextPage: result.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount: result.totalCount,
    };
  }

  @Query(() => String, {
    description:
      "A publisher's history and its offers' histories (deleted offers included) as one document, in log order, optionally within a time range. Recorded as a privacy request (EXPORT).",
  })
  async exportHistory(
    @Arg('publisherId', () => ID, { description: 'The publisher.' }) publisherId: string,
    @Arg('format', () => ExportFormat, { description: 'JSONL or CSV.' }) format: `${ExportFormat}`,
    @Arg('from', () => String, { nullable: true, description: 'Only changes at or after this instant (ISO-8601).' })
    from: string | null,
    @Arg('to', () => String, { nullable: true, description: 'Only changes at or before this instant (ISO-8601).' })
    to: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<string> {
    const range = {
      from: from == null ? null : parseInstant('from', from),
      to: to == null ? null : parseInstant('to', to),
    };
    const id = requireId('publisherId', publisherId);
    const document = await ctx.services.historyExport.document(id, format === 'CSV' ? 'csv' : 'jsonl', range);
    const grants = await operationGrants(ctx, 'exportHistory', {}, id);
    if (grants) await ctx.services.readRecorder.exportedUnderGrants(grants, 'history', ctx.command);
    await ctx.services.readRecorder.exported(id, 'history', ctx.command); // durable before the export leaves
    return document;
  }
}

/** A history view, as the column allowed it: under a grant, against the grant; else as a VIEW record. */
async function recordHistoryView(
  ctx: RequestContext,
  kind: `${HistorySubjectKind}`,
  subject: { kind: 'publisher' | 'offer'; id: string },
  publisherId: string,
): Promise<void> {
  const target = `${subject.kind}.history`;
  const offerId = subject.kind === 'offer' ? subject.id : undefined;
  const grants = await operationGrants(ctx, 'history', { kind }, publisherId, offerId);
  if (!grants) return ctx.services.readRecorder.viewed(publisherId, target, ctx.principal.id, () => ctx.command);
  for (const { grant, category } of grants)
    ctx.services.readRecorder.viewedUnderGrant(grant, target, category, offerId, () => ctx.command);
}

function toEntryType(entry: HistoryEntry, actorErased: boolean): HistoryEntryType {
  return {
    subjectKind: entry.subject.kind === 'publisher' ? 'PUBLISHER' : 'OFFER',
    subjectId: entry.subject.id,
    revision: entry.revision,
    position: String(entry.position),
    eventType: entry.type,
    schemaVersion: entry.schemaVersion,
    occurredAt: entry.occurredAt,
    actor: { id: entry.actor.id, kind: entry.actor.kind, role: entry.actor.role ?? null, erased: actorErased },
    changes: entry.changes.map((change) => ({
      field: change.field,
      before: change.before === null || isErased(change.before) ? null : String(change.before),
      after: change.after === null || isErased(change.after) ? null : String(change.after),
      beforeErased: isErased(change.before),
      afterErased: isErased(change.after),
    })),
  };
}
