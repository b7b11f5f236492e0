import { assertNever } from '../../assert-never.js';
import type { GrantTerms } from '../../events/access-grant/access-grant.events.js';
import { everyEventOf, type HandledEvent, type Handles } from '../../events/ledger-events.js';
import type { DataCategory } from '../../privacy/classification.js';
import { documentProjection, type ProjectedDoc } from '../document-projection.js';

export const ACCESS_GRANTS = 'access_grants';

/** A read under a grant, as recorded (one per reader, data and window: src/events/privacy-request/read-recorder.ts). */
export interface GrantAccess {
  target: string;
  category: DataCategory;
  at: string;
}

/** A grant as its publisher's members and auditors see it. Its status depends on the instant asked: the queries compute it. */
export type AccessGrantRecord = Omit<GrantTerms, 'offerId'> & {
  id: string;
  offerId: string | null;
  requestedAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
  revokedBy: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
  accesses: GrantAccess[];
};

export type AccessGrantDoc = ProjectedDoc & AccessGrantRecord;

// what an erasure notes of forgotten grantees is no grant (and names none)
const handles = {
  accessGrant: { ...everyEventOf.accessGrant, GranteesForgotten: false },
} as const satisfies Handles;

/** A grant as first requested (also what a mutation answers before the read model has it). */
export function grantRecord({ offerId, ...terms }: GrantTerms & { requestedAt: string }): AccessGrantRecord {
  const none = { approvedBy: null, approvedAt: null, revokedBy: null, revokedAt: null, revokeReason: null };
  return { ...terms, id: terms.grantId, offerId: offerId ?? null, ...none, accesses: [] };
}

/**
 * One document per grant, with every access under it, newest grants first
 * per publisher. Nothing personal: the people in it are actor references.
 */
export const accessGrantProjection = documentProjection<AccessGrantDoc, typeof handles>({
  name: 'access-grants',
  collection: {
    name: ACCESS_GRANTS,
    indexes: [
      { name: 'by_publisher_newest', fields: [{ field: 'publisherId' }, { field: 'requestedAt', direction: 'desc' }] },
    ],
  },
  handles,
  documentId: (event) => event.data.grantId,
  evolve(doc, event: HandledEvent<typeof handles>) {
    switch (event.type) {
      case 'AccessGrantRequested':
        return grantRecord(event.data);
      case 'AccessGrantApproved':
        return doc && { ...doc, approvedBy: event.data.approvedBy, approvedAt: event.data.approvedAt };
      case 'AccessGrantRevoked':
        return (
          doc && {
            ...doc,
            revokedBy: event.data.revokedBy,
            revokedAt: event.data.revokedAt,
            revokeReason: event.data.reason,
          }
        );
      case 'AccessGrantUsed': {
        const { target, category, usedAt } = event.data;
        return doc && { ...doc, accesses: [...doc.accesses, { target, category, at: usedAt }] };
      }
      default:
        return assertNever(event);
    }
  },
});
