import { ValidationError } from '../../errors.js';
import { ledgerEventTypes } from '../../events/ledger-events.js';
import type { Filter, Page, ReadStore } from '../store/read-store.js';
import { AUDIT_TRAIL, newestFirst, type AuditEntry } from './audit-trail.projection.js';

/** Which entries of the audit trail to list; every given condition must hold. */
export interface AuditFilter {
  /** ISO-8601 instant, inclusive */
  from?: string | null;
  /** ISO-8601 instant, exclusive */
  to?: string | null;
  actorId?: string | null;
  eventTypes?: readonly string[] | null;
  publisherId?: string | null;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const knownTypes: ReadonlySet<string> = new Set(ledgerEventTypes);
const MAX_TYPES = 20;

/**
 * Pages of the audit trail, newest first. Each filter shape (none, actor,
 * publisher, one event type; each with or without a time range) reads an
 * index in its sort order, so a page costs the same however long the log
 * is. Combined conditions read the index of one of them and filter the
 * rest. Several event types (or a person's object id and reference) read
 * one page each and merge them: a cursor holds only the sort values, so it
 * continues every list.
 * No total count: counting a long log on every page would cost what the
 * index saves.
 */
export class AuditQueries {
  constructor(
    private readonly store: ReadStore,
    /** which recorded actor ids an `actorId` filter stands for (src/privacy/actor-references.ts) */
    private readonly actors: { filterIds(actorId: string): Promise<string[]> },
  ) {}

  async page(filter: AuditFilter, first: number, after?: string | null): Promise<Page<AuditEntry>> {
    const where = toReadFilter(filter);
    const find = (readFilter: Filter) =>
      this.store.find<AuditEntry>(AUDIT_TRAIL, {
        filter: readFilter,
        sort: newestFirst,
        first,
        ...(after ? { after } : {}),
      });
    const types = [...new Set(filter.eventTypes ?? [])];
    // A person's object id also matches their reference (events before references hold the object id itself).
    const actorIds = filter.actorId != null ? await this.actors.filterIds(filter.actorId) : [];
    const byActor = actorIds.length < 2 ? [where] : actorIds.map((id) => ({ ...where, 'actor.id': id }));
    const filters = types.length < 2 ? byActor : byActor.flatMap((f) => types.map((type) => ({ ...f, type })));
    if (filters.length === 1) return find(filters[0]!);
    return mergeNewestFirst(await Promise.all(filters.map(find)), first);
  }
}

/** The first `first` entries of several newest-first pages, newest first, each with its own cursor. */
function mergeNewestFirst(pages: readonly Page<AuditEntry>[], first: number): Page<AuditEntry> {
  const entries = pages.flatMap((page) => page.items.map((item, i) => ({ item, cursor: page.cursors[i]! })));
  entries.sort((a, b) =>
    a.item.occurredAt === b.item.occurredAt
      ? b.item.position - a.item.position
      : a.item.occurredAt < b.item.occurredAt
        ? 1
        : -1,
  );
  const kept = entries.slice(0, first);
  return {
    items: kept.map((entry) => entry.item),
    cursors: kept.map((entry) => entry.cursor),
    endCursor: kept.at(-1)?.cursor ?? null,
    hasNextPage: entries.length > first || pages.some((page) => page.hasNextPage),
  };
}

function instant(field: 'from' | 'to', value: string | null | undefined): string | undefined {
  if (value == null) return undefined;
  const time = Date.parse(value);
  if (!ISO_INSTANT.test(value) || Number.isNaN(time))
    throw new ValidationError(field, 'must be an ISO-8601 instant with a time zone');
  // Stored instants are toISOString() text: compared as text, they compare as time.
  return new Date(time).toISOString();
}

/** Checks the filter and turns it into the read store's; bad input is BAD_USER_INPUT naming the field. */
function toReadFilter(filter: AuditFilter): Filter {
  const from = instant('from', filter.from);
  const to = instant('to', filter.to);
  if (from && to && from >= to) throw new ValidationError('to', 'must be after from');
  const types = filter.eventTypes ?? undefined;
  if (types && (types.length === 0 || types.length > MAX_TYPES || !types.every((type) => knownTypes.has(type)))) {
    throw new ValidationError(
      'eventTypes',
      `must be 1 to ${MAX_TYPES} of the ledger's event types, such as ContactUpdated`,
    );
  }
  for (const field of ['actorId', 'publisherId'] as const) {
    const value = filter[field];
    if (value != null && (value.length === 0 || value.length > 200))
      throw new ValidationError(field, 'must be 1 to 200 characters');
  }
  return {
    ...(filter.actorId != null ? { 'actor.id': filter.actorId } : {}),
    ...(filter.publisherId != null ? { publisherId: filter.publisherId } : {}),
    // Several types are read one by one (AuditQueries.page), each by equality on the type index.
    ...(types ? { type: types.length === 1 ? types[0]! : { in: [...types] } } : {}),
    ...(from || to ? { occurredAt: { gte: from, lt: to } } : {}),
  };
}
