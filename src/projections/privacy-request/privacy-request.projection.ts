import type { RecordedEvent } from '../../events/event-envelope.js';
import type { PrivacyRequestKind } from '../../events/privacy-request/privacy-request.js';
import { documentProjection, type ProjectedDoc } from '../document-projection.js';
import type { Projection } from '../projection.js';
import type { WriteOp } from '../read-store.js';

export const PRIVACY_REQUESTS = 'privacy_requests';

/** A privacy request record as queries return it. */
export interface PrivacyRequestRecord {
  id: string;
  publisherId: string;
  kind: PrivacyRequestKind;
  /** which personal data the request concerned */
  target: string;
  /**
   * actor id of who asked: personal data kept for the retention period
   * only, so sealed under its month's retention key (an ERASED marker once
   * that key is destroyed); PrivacyRequestQueries opens it
   */
  requestedBy: unknown;
  requestedAt: string;
  outcome: 'COMPLETED';
}

/** What stays of a deleted record: enough to answer a retried deletion, nothing of the request itself. */
export interface DeletedRecord {
  id: string;
  publisherId: string;
  deleted: true;
}

export type PrivacyRequestDoc = ProjectedDoc & (PrivacyRequestRecord | DeletedRecord);

export const isDeletedRecord = (doc: PrivacyRequestRecord | DeletedRecord): doc is DeletedRecord => 'deleted' in doc && doc.deleted;

/** Which change events are privacy requests, of which kind, on what. */
const requests: Readonly<Record<string, { kind: PrivacyRequestKind; target: string }>> = {
  ContactUpdated: { kind: 'EDIT', target: 'contact' },
  ContactPreferencesChanged: { kind: 'EDIT', target: 'contactPreferences' },
  AadUserAdded: { kind: 'EDIT', target: 'aadUsers' },
  AadUserRemoved: { kind: 'DELETION', target: 'aadUsers' },
  OfferCustomerServiceUpdated: { kind: 'EDIT', target: 'offer.supportContacts' },
  OfferDeleted: { kind: 'DELETION', target: 'offer' },
  PublisherAccountClosed: { kind: 'ERASURE', target: 'publisher' },
};

const erasureTargets: Readonly<Record<string, string>> = { contact: 'contact', aadAccount: 'aadUsers', offerSupport: 'offer.supportContacts' };

/**
 * The request an event records, if any. An erasure at a person's request is
 * one record; closing an account is one request, recorded once by
 * PublisherAccountClosed (not once per person it erased).
 */
function requestOf(event: RecordedEvent): { kind: PrivacyRequestKind; target: string } | undefined {
  if (event.type === 'PrivacyRequestRecorded') return { kind: event.data['kind'] as PrivacyRequestKind, target: String(event.data['target']) };
  if (event.type === 'PersonalDataErased') {
    if (event.data['scope'] !== 'subject') return undefined;
    const subject = event.data['subject'] as { kind: string };
    return { kind: 'ERASURE', target: erasureTargets[subject.kind] ?? subject.kind };
  }
  return requests[event.type];
}

/** Seals records' requesters under their month's retention key (src/privacy/retention.ts). */
export interface RequesterSealing {
  sealAll<T extends Record<string, unknown>>(records: readonly T[]): Promise<T[]>;
}

/**
 * One record per change of personal data, keyed by the id of the event that
 * made it, and one per recorded read (PrivacyRequestRecorded), newest first
 * per publisher; a deletion event leaves only a tombstone (DeletedRecord).
 * Records are folded in clear and their requester sealed on the way to the
 * store.
 */
export function privacyRequestProjection(requesters: RequesterSealing): Projection {
  return {
    ...records,
    async project(events, store) {
      const ops = await records.project(events, store);
      // documents folded from this batch carry the requester in clear; sealed ones read from the store are left alone
      const clear = ops.flatMap((op) => (op.kind === 'upsert' && typeof op.doc['requestedBy'] === 'string' ? [op.doc] : []));
      const sealed = await requesters.sealAll(clear);
      let next = 0;
      return ops.map((op): WriteOp => (op.kind === 'upsert' && op.doc === clear[next] ? { ...op, doc: sealed[next++]! } : op));
    },
  };
}

const records = documentProjection<PrivacyRequestDoc>({
  name: 'privacy-requests',
  collection: {
    name: PRIVACY_REQUESTS,
    indexes: [{ name: 'by_publisher_newest', fields: [{ field: 'publisherId' }, { field: 'requestedAt', direction: 'desc' }] }],
  },
  documentId(event: RecordedEvent) {
    if (event.type === 'PrivacyRequestRecordDeleted') return String(event.data['recordId']);
    return requestOf(event) ? event.eventId : null;
  },
  evolve(_doc, event) {
    const request = requestOf(event);
    if (!request) return { id: String(event.data['recordId']), publisherId: String(event.data['publisherId']), deleted: true }; // PrivacyRequestRecordDeleted
    return {
      id: event.eventId,
      publisherId: String(event.data['publisherId']),
      kind: request.kind,
      target: request.target,
      requestedBy: event.metadata.actor.id,
      // a read is recorded after it happened: its own instant is in the data
      requestedAt: event.type === 'PrivacyRequestRecorded' ? String(event.data['requestedAt']) : event.occurredAt,
      outcome: 'COMPLETED',
    };
  },
});
