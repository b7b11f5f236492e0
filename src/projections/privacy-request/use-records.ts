import { createHash } from 'node:crypto';
import { handledEvent, type Handles } from '../../events/ledger-events.js';
import type { RecordedEvent } from '../../events/store/event-envelope.js';
import type { ContactChannel } from '../../events/contact-list/contact-list.events.js';
import type { ReadStore, WriteOp } from '../store/read-store.js';
import type { ProjectedDoc } from '../document-projection.js';

const handles = { contactList: { ContactListProduced: true } } as const satisfies Handles;

/** The contact value a list hands out, as a record's target. */
export const useTargets = { EMAIL: 'contact.email', PHONE: 'contact.telephone' } as const satisfies Record<
  ContactChannel,
  string
>;

/**
 * The id of the USE record of one publisher in one list: a UUID derived
 * from the list's event id and the publisher id (one event, many records;
 * deleting a record takes a UUID like any other record's id).
 */
export function useRecordId(eventId: string, publisherId: string): string {
  const hex = createHash('sha256').update(`${eventId}/${publisherId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A USE record as the privacy-request projection stores it (its PrivacyRequestRecord, requester still in clear). */
type UseRecord = ProjectedDoc & {
  publisherId: string;
  kind: 'USE';
  target: string;
  requestedBy: string;
  requestedAt: string;
  outcome: 'COMPLETED';
};

/**
 * One USE record per publisher a contact list named (ContactListProduced),
 * in the privacy-request projection's `collection`, requested by who
 * produced the list. A record at or past the list's position (deleted
 * since: a tombstone) is left alone, so replaying the list changes nothing.
 */
export async function useRecordOps(
  events: readonly RecordedEvent[],
  store: ReadStore,
  collection: string,
): Promise<WriteOp[]> {
  const lists = events.flatMap((recorded) => handledEvent(handles, recorded) ?? []);
  const records = lists.flatMap((event) =>
    event.data.publisherIds.map((publisherId): UseRecord => ({
      id: useRecordId(event.eventId, publisherId),
      publisherId,
      kind: 'USE',
      target: useTargets[event.data.channel],
      requestedBy: event.metadata.actor.id,
      requestedAt: event.data.producedAt,
      outcome: 'COMPLETED',
      _position: event.position,
    })),
  );
  if (records.length === 0) return [];
  const current = await store.getMany<ProjectedDoc>(
    collection,
    records.map((record) => record.id),
  );
  return records.flatMap((doc, i): WriteOp[] => {
    const existing = current[i];
    return existing && existing._position >= doc._position ? [] : [{ kind: 'upsert', collection, doc }];
  });
}
