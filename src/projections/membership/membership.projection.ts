import { assertNever } from '../../assert-never.js';
import type { HandledEvent, Handles } from '../../events/ledger-events.js';
import type { AadUser } from '../../events/publisher/publisher.events.js';
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

/** The events that add or remove an account; the others leave memberships as they are. */
const handles = {
  publisher: {
    PublisherRegistered: true,
    AadUserAdded: true,
    AadUserRemoved: true,
    ContactUpdated: false,
    ContactPreferencesChanged: false,
    PublisherApproved: false,
    PublisherRejected: false,
    PersonalDataErased: false,
    PublisherAccountClosed: false,
  },
} as const satisfies Handles;

/** The account an event adds (with its person's reference, or blind index) or removes; null for a registration without a first account. */
function accountOf(event: HandledEvent<typeof handles>): { publisherId: string; accountId: string; objectIdIndex?: string } | null {
  const { publisherId } = event.data;
  switch (event.type) {
    case 'PublisherRegistered':
      return event.data.firstUser ? { publisherId, ...accountIndexOf(event.data.firstUser) } : null;
    case 'AadUserAdded':
      return { publisherId, ...accountIndexOf(event.data.user) };
    case 'AadUserRemoved':
      return { publisherId, accountId: event.data.accountId };
    default:
      return assertNever(event);
  }
}

/** An account is found by its person's reference; one added before references by the blind index of its object id. */
const accountIndexOf = ({ accountId, actorId, objectIdIndex }: AadUser<unknown>) => {
  const index = actorId ?? objectIdIndex;
  return { accountId, ...(index ? { objectIdIndex: index } : {}) };
};

export const membershipProjection = documentProjection<MembershipDoc, typeof handles>({
  name: 'memberships',
  // 2: accounts indexed by their person's actor reference (a blind index only for accounts added before references)
  shape: 2,
  collection: { name: MEMBERSHIPS, indexes: [{ name: 'by_object_id_index', fields: [{ field: 'objectIdIndex' }] }] },
  handles,
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
