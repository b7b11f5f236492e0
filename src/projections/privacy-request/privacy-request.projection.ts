import type { RecordedEvent } from '../../events/event-envelope.js';
import type { PrivacyRequestKind } from '../../events/privacy-request/privacy-request.js';
import { documentProjection, type ProjectedDoc } from '../document-projection.js';

export const PRIVACY_REQUESTS = 'privacy_requests';

/** A privacy request record as queries return it. */
export interface PrivacyRequestRecord {
  id: string;
  publisherId: string;
  kind: PrivacyRequestKind;
  /** which personal data the request concerned */
  target: string;
  /** actor id of who asked */
  requestedBy: string;
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

/**
 * One record per change of personal data, keyed by the id of the event that
 * made it, and one per recorded read (PrivacyRequestRecorded), newest first
 * per publisher; a deletion event leaves only a tombstone (DeletedRecord).
 */
export const privacyRequestProjection = documentProjection<PrivacyRequestDoc>({
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
