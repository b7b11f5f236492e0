import { assertNever } from '../../assert-never.js';
import { handledEvent, type HandledEvent, type Handles } from '../../events/ledger-events.js';
import { foldDocuments, type ProjectedDoc } from '../document-projection.js';
import type { Projection } from '../projection.js';

export const MEMBERSHIPS = 'aad_memberships';

/**
 * One document per AAD account of a publisher that is not erased,
 * searchable by its person's member index (an HMAC of the object id under
 * a key-store key, src/privacy/actor-references.ts): how `me` finds the
 * publishers of a principal, and how the audit trail finds a person's
 * accounts. The index is computed here from the account's sealed object id
 * and is never in the log, so once the account is erased (its key gone)
 * nothing links it to the person: its document is deleted, and a rebuild
 * cannot open the object id again. A removed account stays (unlisted) until
 * it is erased: it still names its person in the audit trail.
 * Access itself is always checked against the publisher's stream, never
 * against this (possibly lagging) read model.
 */
export interface MembershipDoc extends ProjectedDoc {
  publisherId: string;
  accountId: string;
  objectIdIndex: string;
  /** false once removed: it grants nothing, `me` leaves it out */
  listed: boolean;
}

/** Opens accounts' sealed object ids into their member indexes (null where erased); one key lookup per batch. */
export interface MemberIndexes {
  memberIndexesOf(sealedObjectIds: readonly unknown[]): Promise<(string | null)[]>;
}

/** The events that add, remove or erase an account; the others leave memberships as they are. */
const handles = {
  publisher: {
    PublisherRegistered: true,
    AadUserAdded: true,
    AadUserRemoved: true,
    PersonalDataErased: true,
    ContactUpdated: false,
    ContactPreferencesChanged: false,
    PublisherApproved: false,
    PublisherRejected: false,
    PublisherAccountClosed: false,
  },
} as const satisfies Handles;

type Handled = HandledEvent<typeof handles>;

/** What an event does to one account: adds it (with its sealed object id), removes it, or erases it; null when it concerns none. */
function changeOf(
  event: Handled,
):
  | { accountId: string; change: 'added'; objectId: unknown }
  | { accountId: string; change: 'removed' | 'erased' }
  | null {
  switch (event.type) {
    case 'PublisherRegistered': {
      const user = event.data.firstUser;
      return user ? { accountId: user.accountId, change: 'added', objectId: user.objectId } : null;
    }
    case 'AadUserAdded':
      return { accountId: event.data.user.accountId, change: 'added', objectId: event.data.user.objectId };
    case 'AadUserRemoved':
      return { accountId: event.data.accountId, change: 'removed' };
    case 'PersonalDataErased':
      return event.data.subject.kind === 'aadAccount'
        ? { accountId: event.data.subject.accountId, change: 'erased' }
        : null;
    default:
      return assertNever(event);
  }
}

type Selected = Handled & { index?: string | null };

/** The membership projection; `indexes` opens the object ids (it holds the keys). */
export function membershipProjection(indexes: MemberIndexes): Projection {
  const fold = foldDocuments<MembershipDoc, Selected>({
    name: 'memberships',
    // 3: indexed by an HMAC of the opened object id, computed here (none in the log); erased accounts deleted
    shape: 3,
    collection: { name: MEMBERSHIPS, indexes: [{ name: 'by_object_id_index', fields: [{ field: 'objectIdIndex' }] }] },
    select: (event) => event as Selected,
    documentId(event) {
      const account = changeOf(event);
      return account && `${event.data.publisherId}/${account.accountId}`;
    },
    evolve(doc, event) {
      const account = changeOf(event)!;
      switch (account.change) {
        case 'added':
          // an account erased since: nothing to index
          return event.index
            ? {
                id: `${event.data.publisherId}/${account.accountId}`,
                publisherId: event.data.publisherId,
                accountId: account.accountId,
                objectIdIndex: event.index,
                listed: true,
              }
            : null;
        case 'removed':
          return doc && { ...doc, listed: false };
        case 'erased':
          return null;
        default:
          return assertNever(account);
      }
    },
  });
  return {
    ...fold,
    async project(recorded, store) {
      const handled = recorded.map((event) => handledEvent(handles, event));
      const adding = handled
        .map((event) => (event ? changeOf(event) : null))
        .map((change) => (change?.change === 'added' ? change.objectId : undefined));
      const wanted = adding.flatMap((objectId, i) => (objectId !== undefined ? [i] : []));
      const opened = wanted.length > 0 ? await indexes.memberIndexesOf(wanted.map((i) => adding[i])) : [];
      const indexOf = new Map(wanted.map((i, n) => [i, opened[n]!]));
      const selected = handled.flatMap((event, i) =>
        event ? [{ ...event, ...(indexOf.has(i) ? { index: indexOf.get(i) } : {}) } as Selected] : [],
      );
      // a deleted membership held an index of its person's object id: it must not outlive the erasure (not in a WAL either)
      return (await fold.project(selected, store)).map((op) =>
        op.kind === 'delete' && op.collection === MEMBERSHIPS ? { ...op, erase: true as const } : op,
      );
    },
  };
}
