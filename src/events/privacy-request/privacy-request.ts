import { NotFoundError } from '../../errors.js';
import { assertNever } from '../../assert-never.js';
import type { Decider, DomainEvent } from '../decider.js';

/**
 * A publisher's privacy request records. Records of edits and deletions are
 * derived from the change events themselves (see
 * src/projections/privacy-request), so a record exists exactly when its
 * change does. Reads leave no change behind, so a view or an export is
 * recorded here, in stream `privacy-requests-<publisherId>`, as
 * `PrivacyRequestRecorded` (see read-recorder.ts); and so is the deletion of
 * a record.
 */
export const privacyRequestStream = (publisherId: string): string => `privacy-requests-${publisherId}`;

/** USE: the publisher's contact was handed out on a contact list (src/events/contact-list/). */
export type PrivacyRequestKind = 'VIEW' | 'EXPORT' | 'EDIT' | 'DELETION' | 'ERASURE' | 'USE';

export type PrivacyRequestRecordDeleted = DomainEvent<
  'PrivacyRequestRecordDeleted',
  { publisherId: string; recordId: string; deletedAt: string }
>;

/** A read of personal data: who read it is the event's actor. */
export type PrivacyRequestRecorded = DomainEvent<
  'PrivacyRequestRecorded',
  { publisherId: string; kind: ReadKind; target: string; requestedAt: string }
>;

export type ReadKind = Extract<PrivacyRequestKind, 'VIEW' | 'EXPORT'>;

export type PrivacyRequestEvent = PrivacyRequestRecordDeleted | PrivacyRequestRecorded;

export type PrivacyRequestCommand =
  | { type: 'DeletePrivacyRequestRecord'; data: { publisherId: string; recordId: string; now: string } }
  | { type: 'RecordRead'; data: { publisherId: string; kind: ReadKind; target: string; now: string } };

/** The ids of the records already deleted. */
export type PrivacyRequestState = { deleted: ReadonlySet<string> };

export const privacyRequestDecider: Decider<PrivacyRequestCommand, PrivacyRequestEvent, PrivacyRequestState> = {
  initialState: { deleted: new Set() },
  decide(command, state) {
    switch (command.type) {
      case 'DeletePrivacyRequestRecord': {
        const { publisherId, recordId, now } = command.data;
        if (state.deleted.has(recordId)) throw new NotFoundError('privacy request record', recordId);
        return [{ type: 'PrivacyRequestRecordDeleted', data: { publisherId, recordId, deletedAt: now } }];
      }
      case 'RecordRead': {
        const { publisherId, kind, target, now } = command.data;
        return [{ type: 'PrivacyRequestRecorded', data: { publisherId, kind, target, requestedAt: now } }];
      }
      default:
        return assertNever(command);
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'PrivacyRequestRecordDeleted':
        return { deleted: new Set([...state.deleted, event.data.recordId]) };
      case 'PrivacyRequestRecorded':
        return state;
      default:
        return assertNever(event);
    }
  },
};
