import type { Actor, RecordedEvent } from '../../events/event-envelope.js';
import { isPersonalValue } from '../../privacy/personal-value.js';
import type { Projection } from '../projection.js';
import type { IndexSpec, SortKey, WriteOp } from '../read-store.js';

export const AUDIT_TRAIL = 'audit_trail';

/**
 * One entry per event of the whole log: who did what to which stream, when,
 * and which fields it touched. Entries name fields, never hold their values,
 * so the audit trail holds no personal data but the actor's object id,
 * sealed as the log holds it (the client IP and user agent of the metadata
 * are left out).
 */
export type AuditEntry = {
  /** the event id */
  id: string;
  position: number;
  streamId: string;
  revision: number;
  type: string;
  occurredAt: string;
  /** `objectId`: a user's, sealed under their reference's key (see Actor), absent for others and before references */
  actor: { id: string; kind: Actor['kind']; role: string | null; objectId?: unknown };
  publisherId: string | null;
  offerId: string | null;
  /** dotted names of the fields the event carries (`supportContacts.*.email`), without values */
  changedFields: string[];
};

/** Newest first: the instant, then the log position among events of one instant. */
export const newestFirst: SortKey[] = [
  { field: 'occurredAt', direction: 'desc' },
  { field: 'position', direction: 'desc' },
];

/** The filter shapes served by an index, each optionally within a time range; the index ends in `newestFirst`. */
const indexed = (name: string, field?: string): IndexSpec => ({
  name,
  fields: [...(field ? [{ field }] : []), ...newestFirst],
});

export const auditIndexes: IndexSpec[] = [
  indexed('newest'),
  indexed('by_actor', 'actor.id'),
  indexed('by_publisher', 'publisherId'),
  indexed('by_type', 'type'),
];

/** Fields that name the entry's subject or repeat its instant: not changes. */
const notChanges = new Set(['publisherId', 'offerId']);
const isInstant = (name: string) => name.endsWith('At');

/** The dotted names of an event's data leaves; array elements become `*`, personal values are leaves. */
export function changedFieldsOf(data: Record<string, unknown>): string[] {
  const names = new Set<string>();
  const walk = (value: unknown, prefix: string): void => {
    if (Array.isArray(value)) {
      if (value.length === 0) names.add(prefix);
      for (const item of value) walk(item, `${prefix}.*`);
    } else if (value !== null && typeof value === 'object' && !isPersonalValue(value)) {
      for (const [key, item] of Object.entries(value)) walk(item, `${prefix}.${key}`);
    } else {
      names.add(prefix);
    }
  };
  for (const [key, value] of Object.entries(data)) {
    if (!notChanges.has(key) && !isInstant(key)) walk(value, key);
  }
  return [...names];
}

const idOf = (data: Record<string, unknown>, key: string): string | null => (typeof data[key] === 'string' ? data[key] : null);

export function auditEntryOf(event: RecordedEvent): AuditEntry {
  const { id, kind, role, objectId } = event.metadata.actor;
  return {
    id: event.eventId,
    position: event.position,
    streamId: event.streamId,
    revision: event.revision,
    type: event.type,
    occurredAt: event.occurredAt,
    actor: { id, kind, role: role ?? null, ...(objectId !== undefined ? { objectId } : {}) },
    publisherId: idOf(event.data, 'publisherId'),
    offerId: idOf(event.data, 'offerId'),
    changedFields: changedFieldsOf(event.data),
  };
}

/**
 * The audit read model. An entry is a function of its event alone and is
 * keyed by the event id, so replaying events rewrites the same documents.
 */
export const auditProjection: Projection = {
  name: 'audit',
  collections: [{ name: AUDIT_TRAIL, indexes: auditIndexes }],
  async project(events) {
    return events.map((event): WriteOp => ({ kind: 'upsert', collection: AUDIT_TRAIL, doc: auditEntryOf(event) }));
  },
};
