import { createHash } from 'node:crypto';
import { handledEvent, type Handles } from '../../events/ledger-events.js';
import type { RecordedEvent } from '../../events/event-envelope.js';
import type { ContactChannel } from '../../events/contact-list/contact-list.events.js';
import type { ReadStore, WriteOp } from '../read-store.js';
import { PRIVACY_REQUESTS, type PrivacyRequestDoc, type PrivacyRequestRecord } from './privacy-request.projection.js';

const handles = { contactList: { ContactListProduced: true } } as const satisfies Handles;

/** The contact value a list hands out, as a record's target. */
export const useTargets = { EMAIL: 'contact.email', PHONE: 'contact.telephone' } as const satisfies Record<ContactChannel, string>;

/**
 * The id of the USE record of one publisher in one list: a UUID derived
 * from the list's event id and the publisher id (one event, many records;
 * deleting a record takes a UUID like any other record's id).
 */
export function useRecordId(eventId: string, publisherId: string): string {
  const hex = createHash('sha256').update(`${eventId}/${publisherId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * One USE record per publisher a contact list named (ContactListProduced),
 * requested by who produced the list. A record at or past the list's
 * position (deleted since: a tombstone) is left alone, so replaying the
 * list changes nothing.
 */
export async function useRecordOps(events: readonly RecordedEvent[], store: ReadStore): Promise<WriteOp[]> {
  const lists = events.flatMap((recorded) => handledEvent(handles, recorded) ?? []);
  const records = lists.flatMap((event) =>
    event.data.publisherIds.map((publisherId): PrivacyRequestDoc & PrivacyRequestRecord => ({
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
  const current = await store.getMany<PrivacyRequestDoc>(PRIVACY_REQUESTS, records.map((record) => record.id));
  return records.flatMap((doc, i): WriteOp[] => {
    const existing = current[i];
    return existing && existing._position >= doc._position ? [] : [{ kind: 'upsert', collection: PRIVACY_REQUESTS, doc }];
  });
}
