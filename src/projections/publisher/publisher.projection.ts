import type { RecordedEvent } from '../../events/event-envelope.js';
import { documentProjection, type ProjectedDoc } from '../document-projection.js';

export const PUBLISHERS = 'publishers';

/**
 * The publisher read model. Contact values are kept sealed, exactly as the
 * events carry them; PublisherQueries opens them when read.
 */
export interface PublisherDoc extends ProjectedDoc {
  companyName: string;
  registrationCode: string;
  registrationStatus: 'PENDING' | 'APPROVED' | 'REJECTED' | 'CLOSED';
  rejectionReason: string | null;
  contactPreferences: Record<string, boolean>;
  contact: Record<string, unknown>;
  /** the publisher's AAD accounts, their personal values sealed */
  aadUsers: Array<Record<string, unknown>>;
  /** number of events in the publisher's stream */
  version: number;
  registeredAt: string;
  updatedAt: string;
}

type Data = Record<string, unknown>;

export const publisherProjection = documentProjection<PublisherDoc>({
  name: 'publishers',
  // No secondary index yet: publishers are read by id only. Declare one with
  // the query that needs it (each index costs every upsert a JSON extraction).
  collection: { name: PUBLISHERS },
  documentId: (event) => (event.streamId.startsWith('publisher-') ? String(event.data['publisherId']) : null),
  evolve(doc, event: RecordedEvent) {
    const data = event.data as Data;
    switch (event.type) {
      case 'PublisherRegistered':
        return {
          id: String(data['publisherId']),
          companyName: String(data['companyName']),
          registrationCode: String(data['registrationCode']),
          registrationStatus: 'PENDING',
          rejectionReason: null,
          contactPreferences: { ...(data['contactPreferences'] as Record<string, boolean>) },
          contact: { ...(data['contact'] as Data) },
          aadUsers: data['firstUser'] ? [{ ...(data['firstUser'] as Data) }] : [],
          version: event.revision + 1,
          registeredAt: String(data['registeredAt']),
          updatedAt: String(data['registeredAt']),
        };
      case 'ContactUpdated':
        if (!doc) return null;
        return {
          ...doc,
          companyName: (data['companyName'] as string | undefined) ?? doc.companyName,
          contact: { ...doc.contact, ...(data['contact'] as Data | undefined) },
          version: event.revision + 1,
          updatedAt: String(data['updatedAt']),
        };
      case 'AadUserAdded': {
        const user = data['user'] as Data;
        return doc && { ...doc, aadUsers: [...doc.aadUsers, { ...user }], version: event.revision + 1, updatedAt: String(user['addedAt']) };
      }
      case 'AadUserRemoved':
        return doc && {
          ...doc,
          aadUsers: doc.aadUsers.filter((user) => user['accountId'] !== data['accountId']),
          version: event.revision + 1,
          updatedAt: String(data['removedAt']),
        };
      case 'ContactPreferencesChanged':
        return doc && { ...doc, contactPreferences: { ...(data['contactPreferences'] as Record<string, boolean>) }, version: event.revision + 1, updatedAt: String(data['changedAt']) };
      case 'PublisherApproved':
        return doc && { ...doc, registrationStatus: 'APPROVED', rejectionReason: null, version: event.revision + 1, updatedAt: String(data['approvedAt']) };
      case 'PersonalDataErased': // the values stay sealed here; their key is gone
        return doc && { ...doc, version: event.revision + 1, updatedAt: String(data['erasedAt']) };
      case 'PublisherAccountClosed':
        return doc && { ...doc, registrationStatus: 'CLOSED', rejectionReason: null, version: event.revision + 1, updatedAt: String(data['closedAt']) };
      case 'PublisherRejected':
        return doc && { ...doc, registrationStatus: 'REJECTED', rejectionReason: String(data['reason']), version: event.revision + 1, updatedAt: String(data['rejectedAt']) };
      default:
        // Publisher events this read model does not show still move the version the client edits.
        return doc ? { ...doc, version: event.revision + 1 } : null;
    }
  },
});
