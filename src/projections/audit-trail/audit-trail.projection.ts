import type { Actor } from '../../events/store/event-envelope.js';
import { ledgerEventOf, type LedgerEvent } from '../../events/ledger-events.js';
import type { LedgerEventType } from '../../events/domain-events.js';
import { changedFieldsOf } from '../../history/changed-fields.js';
import type { StandaloneProjection } from '../projection.js';
import type { IndexSpec, SortKey, WriteOp } from '../store/read-store.js';

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
  type: LedgerEventType;
  occurredAt: string;
  /** `objectId`: a user's, sealed under their reference's key (see Actor), absent for others and before references */
  /** `publisherId`: a member's, whose account `id` is (src/privacy/actor-references.ts) */
  actor: { id: string; kind: Actor['kind']; role: string | null; objectId?: unknown; publisherId?: string };
  publisherId: string | null;
  offerId: string | null;
  /** dotted names of the record's fields the event sets, as history names them (`aadUsers.<accountId>.displayName`), without values */
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

export function auditEntryOf(event: LedgerEvent): AuditEntry {
  const { id, kind, role, objectId, publisherId } = event.metadata.actor;
  return {
    id: event.eventId,
    position: event.position,
    streamId: event.streamId,
    revision: event.revision,
    type: event.type,
    occurredAt: event.occurredAt,
    actor: {
      id,
      kind,
      role: role ?? null,
      ...(objectId !== undefined ? { objectId } : {}),
      ...(publisherId !== undefined ? { publisherId } : {}),
    },
    // a contact list names many publishers (see its USE records), so none
    publisherId: 'publisherId' in event.data ? event.data.publisherId : null,
    offerId: 'offerId' in event.data ? (event.data.offerId ?? null) : null,
    changedFields: changedFieldsOf(event),
  };
}

/**
 * The audit read model: an entry for every event of the ledger's streams.
 * An entry is a function of its event alone, identified by the event id and
 * keyed by its log position, so replaying events rewrites the same
 * documents, and a rebuild appends them in key order.
 */
export const auditProjection: StandaloneProjection = {
  name: 'audit',
  // a function of its events alone: a rebuild projects it on the thread that reads the log
  standalone: { module: import.meta.url, name: 'auditProjection' },
  // 2: changedFields named as history names them; 3: a user actor by reference, with its sealed object id;
  // 4: stored with its indexed fields in columns (SQLite), rebuilt with its indexes built after the load;
  // 5: keyed by log position (SQLite: the rowid, its indexes end with it instead of the text id)
  shape: 5,
  collections: [{ name: AUDIT_TRAIL, indexes: auditIndexes, key: 'position' }],
  async project(events) {
    return events.flatMap((recorded): WriteOp[] => {
      const event = ledgerEventOf(recorded);
      return event ? [{ kind: 'upsert', collection: AUDIT_TRAIL, doc: auditEntryOf(event) }] : [];
    });
  },
};
