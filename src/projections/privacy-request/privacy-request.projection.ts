import { assertNever } from '../../assert-never.js';
import type { ErasedSubject } from '../../events/erasure/erasure.events.js';
import type { HandledEvent, Handles } from '../../events/ledger-events.js';
import type { PrivacyRequestKind } from '../../events/privacy-request/privacy-request.js';
import { documentProjection, type ProjectedDoc } from '../document-projection.js';
import type { Projection } from '../projection.js';
import type { WriteOp } from '../store/read-store.js';
import { useRecordOps } from './use-records.js';

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
  /** a staff member's view under an access grant: the grant (null for anyone else's request) */
  accessGrantId: string | null;
  /** the grant was an emergency (break-glass) access: flagged for auditors */
  emergencyAccess: boolean;
}

/** What stays of a deleted record: enough to answer a retried deletion, nothing of the request itself. */
export interface DeletedRecord {
  id: string;
  publisherId: string;
  deleted: true;
}

export type PrivacyRequestDoc = ProjectedDoc & (PrivacyRequestRecord | DeletedRecord);

export const isDeletedRecord = (doc: PrivacyRequestRecord | DeletedRecord): doc is DeletedRecord =>
  'deleted' in doc && doc.deleted;

/** The events that are privacy requests (or delete their records); registering, reviewing and offers' own life are not. */
const handles = {
  publisher: {
    ContactUpdated: true,
    ContactPreferencesChanged: true,
    AadUserAdded: true,
    AadUserRemoved: true,
    PersonalDataErased: true,
    PublisherAccountClosed: true,
    PublisherRegistered: false,
    PublisherApproved: false,
    PublisherRejected: false,
  },
  offer: {
    OfferCustomerServiceUpdated: true,
    OfferDeleted: true,
    PersonalDataErased: true,
    OfferCreated: false,
    OfferPublished: false,
  },
  privacyRequest: { PrivacyRequestRecorded: true, PrivacyRequestRecordDeleted: true },
  // a staff member's read under a grant is a view of the publisher's data like any other; the grant's own life is not
  accessGrant: {
    AccessGrantUsed: true,
    AccessGrantRequested: false,
    AccessGrantApproved: false,
    AccessGrantRevoked: false,
    GranteesForgotten: false,
  },
} as const satisfies Handles;

type Handled = HandledEvent<typeof handles>;
type Request = { kind: PrivacyRequestKind; target: string; grant?: { id: string; emergency: boolean } };

// disclosureRecipients: erased only with the account, which PublisherAccountClosed records
const erasureTargets = {
  contact: 'contact',
  aadAccount: 'aadUsers',
  offerSupport: 'offer.supportContacts',
  disclosureRecipients: 'disclosures',
} as const satisfies Record<ErasedSubject['kind'], string>;

/**
 * The request an event records, or what a record deletion deletes. An
 * erasure at a person's request is one record; closing an account is one
 * request, recorded once by PublisherAccountClosed (not once per person it
 * erased).
 */
function requestOf(event: Handled): Request | { deletes: string } | null {
  switch (event.type) {
    case 'ContactUpdated':
      return { kind: 'EDIT', target: 'contact' };
    case 'ContactPreferencesChanged':
      return { kind: 'EDIT', target: 'contactPreferences' };
    case 'AadUserAdded':
      return { kind: 'EDIT', target: 'aadUsers' };
    case 'AadUserRemoved':
      return { kind: 'DELETION', target: 'aadUsers' };
    case 'OfferCustomerServiceUpdated':
      return { kind: 'EDIT', target: 'offer.supportContacts' };
    case 'OfferDeleted':
      return { kind: 'DELETION', target: 'offer' };
    case 'PublisherAccountClosed':
      return { kind: 'ERASURE', target: 'publisher' };
    case 'PersonalDataErased':
      return event.data.scope === 'subject'
        ? { kind: 'ERASURE', target: erasureTargets[event.data.subject.kind] }
        : null;
    case 'PrivacyRequestRecorded':
      return { kind: event.data.kind, target: event.data.target };
    case 'PrivacyRequestRecordDeleted':
      return { deletes: event.data.recordId };
    case 'AccessGrantUsed':
      return {
        kind: 'VIEW',
        target: event.data.target,
        grant: { id: event.data.grantId, emergency: event.data.emergency },
      };
    default:
      return assertNever(event);
  }
}

/** Seals records' requesters under their month's retention key (src/privacy/retention.ts). */
export interface RequesterSealing {
  sealAll<T extends Record<string, unknown>>(records: readonly T[]): Promise<T[]>;
}

/**
 * One record per change of personal data, keyed by the id of the event that
 * made it, one per recorded read (PrivacyRequestRecorded) and one per
 * publisher named by a contact list (USE, ./use-records.ts), newest first
 * per publisher; a deletion event leaves only a tombstone (DeletedRecord).
 * Records are folded in clear and their requester sealed on the way to the
 * store.
 */
export function privacyRequestProjection(requesters: RequesterSealing): Projection {
  return {
    ...records,
    async project(events, store) {
      // USE records first: a deletion of one in the same batch (its tombstone) comes after it
      const ops = [...(await useRecordOps(events, store, PRIVACY_REQUESTS)), ...(await records.project(events, store))];
      // documents folded from this batch carry the requester in clear; sealed ones read from the store are left alone
      const clear = ops.flatMap((op) =>
        op.kind === 'upsert' && typeof op.doc['requestedBy'] === 'string' ? [op.doc] : [],
      );
      const sealed = await requesters.sealAll(clear);
      let next = 0;
      return ops.map((op): WriteOp =>
        op.kind === 'upsert' && op.doc === clear[next] ? { ...op, doc: sealed[next++]! } : op,
      );
    },
  };
}

const records = documentProjection<PrivacyRequestDoc, typeof handles>({
  name: 'privacy-requests',
  // 2: the requester of a user is their pseudonymous actor reference, no longer their object id; 3: staff views under access grants
  shape: 3,
  collection: {
    name: PRIVACY_REQUESTS,
    indexes: [
      { name: 'by_publisher_newest', fields: [{ field: 'publisherId' }, { field: 'requestedAt', direction: 'desc' }] },
    ],
  },
  handles,
  documentId(event) {
    const request = requestOf(event);
    if (request === null) return null;
    return 'deletes' in request ? request.deletes : event.eventId;
  },
  evolve(doc, event) {
    const request = requestOf(event);
    const publisherId = event.data.publisherId;
    if (request === null) return doc; // not a request (documentId skipped it already)
    if ('deletes' in request) return { id: request.deletes, publisherId, deleted: true };
    return {
      id: event.eventId,
      publisherId,
      kind: request.kind,
      target: request.target,
      requestedBy: event.metadata.actor.id,
      // a read is recorded after it happened: its own instant is in the data
      requestedAt:
        event.type === 'PrivacyRequestRecorded'
          ? event.data.requestedAt
          : event.type === 'AccessGrantUsed'
            ? event.data.usedAt
            : event.occurredAt,
      outcome: 'COMPLETED',
      accessGrantId: request.grant?.id ?? null,
      emergencyAccess: request.grant?.emergency ?? false,
    };
  },
});
