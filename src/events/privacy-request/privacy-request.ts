import { NotFoundError } from '../../errors.js';
import type { Decider, DomainEvent } from '../decider.js';

/**
 * A publisher's privacy request records. Records of edits and deletions are
 * derived from the change events themselves (see
 * src/projections/privacy-request), so a record exists exactly when its
 * change does. What the publisher can do to them is delete one, recorded
 * here in stream `privacy-requests-<publisherId>`.
 */
export const privacyRequestStream = (publisherId: string): string => `privacy-requests-${publisherId}`;

export type PrivacyRequestKind = 'VIEW' | 'EXPORT' | 'EDIT' | 'DELETION' | 'ERASURE';

export type PrivacyRequestRecordDeleted = DomainEvent<
  'PrivacyRequestRecordDeleted',
  { publisherId: string; recordId: string; deletedAt: string }
>;

export type PrivacyRequestEvent = PrivacyRequestRecordDeleted;

export interface DeletePrivacyRequestRecord {
  type: 'DeletePrivacyRequestRecord';
  data: { publisherId: string; recordId: string; now: string };
}

/** The ids of the records already deleted. */
export type PrivacyRequestState = { deleted: ReadonlySet<string> };

export const privacyRequestDecider: Decider<DeletePrivacyRequestRecord, PrivacyRequestEvent, PrivacyRequestState> = {
  initialState: { deleted: new Set() },
  decide(command, state) {
    const { publisherId, recordId, now } = command.data;
    if (state.deleted.has(recordId)) throw new NotFoundError('privacy request record', recordId);
    return [{ type: 'PrivacyRequestRecordDeleted', data: { publisherId, recordId, deletedAt: now } }];
  },
  evolve(state, event) {
    return { deleted: new Set([...state.deleted, event.data.recordId]) };
  },
};
