import type { RecordedEvent } from '../../events/event-envelope.js';
import { documentProjection, type ProjectedDoc } from '../document-projection.js';

export const MEMBERSHIPS = 'aad_memberships';

/**
 * One document per AAD account of a publisher, searchable by its person's
 * actor reference (`objectIdIndex`; a blind index of the object id for
 * accounts added before references): how `me` finds the publishers of a
 * principal.
 * Access itself is always checked against the publisher's stream, never
 * against this (possibly lagging) read model.
 */
export interface MembershipDoc extends ProjectedDoc {
  publisherId: string;
  objectIdIndex: string;
}

type Data = Record<string, unknown>;

/** The account an event adds (with its blind index) or removes. */
function accountOf(event: RecordedEvent): { publisherId: string; accountId: string; objectIdIndex?: string } | null {
  const data = event.data as Data;
  const publisherId = String(data['publisherId']);
  const user = (event.type === 'PublisherRegistered' ? data['firstUser'] : event.type === 'AadUserAdded' ? data['user'] : undefined) as
    | Data
    | undefined;
  if (user) {
    const index = user['actorId'] ?? user['objectIdIndex'];
    return { publisherId, accountId: String(user['accountId']), ...(typeof index === 'string' ? { objectIdIndex: index } : {}) };
  }
  return event.type === 'AadUserRemoved' ? { publisherId, accountId: String(data['accountId']) } : null;
}

export const membershipProjection = documentProjection<MembershipDoc>({
  name: 'memberships',
  collection: { name: MEMBERSHIPS, indexes: [{ name: 'by_object_id_index', fields: [{ field: 'objectIdIndex' }] }] },
  documentId(event) {
    const account = accountOf(event);
    return account && `${account.publisherId}/${account.accountId}`;
  },
  evolve(_doc, event) {
    const account = accountOf(event);
    // removed, or recorded before blind indexes existed
    if (!account?.objectIdIndex) return null;
    return { id: `${account.publisherId}/${account.accountId}`, publisherId: account.publisherId, objectIdIndex: account.objectIdIndex };
  },
});
