import { IllegalStateError, ValidationError } from '../../errors.js';
import type { Decider } from '../decider.js';
import {
  contactChannels,
  contactPurposes,
  evolveContactList,
  initialContactListState,
  mayContact,
  preferencesApply,
  type ContactCandidate,
  type ContactChannel,
  type ContactListEvent,
  type ContactListState,
  type ContactPurpose,
} from './contact-list.events.js';

/**
 * Produces one list: the command carries every candidate publisher as the
 * read model showed it at `basedOnPosition` (src/events/contact-list/contact-list.service.ts),
 * and the decision which of them may be contacted is made here.
 */
export type ProduceContactList = {
  type: 'ProduceContactList';
  data: {
    listId: string;
    purpose: string;
    channel: string;
    candidates: readonly ContactCandidate[];
    basedOnPosition: number;
    now: string;
  };
};

export type ContactListCommand = ProduceContactList;

const isPurpose = (value: string): value is ContactPurpose => (contactPurposes as readonly string[]).includes(value);
const isChannel = (value: string): value is ContactChannel => (contactChannels as readonly string[]).includes(value);

export function decideContactList(command: ContactListCommand, state: ContactListState): ContactListEvent[] {
  const { listId, purpose, channel, candidates, basedOnPosition, now } = command.data;
  if (!isPurpose(purpose)) throw new ValidationError('purpose', `must be one of ${contactPurposes.join(', ')}`);
  if (!isChannel(channel)) throw new ValidationError('channel', `must be one of ${contactChannels.join(', ')}`);
  if (state.produced) throw new IllegalStateError('listId', 'was produced already: a list is produced once');
  const publisherIds = candidates
    .filter((candidate) => mayContact(purpose, channel, candidate))
    .map((candidate) => candidate.publisherId);
  return [
    {
      type: 'ContactListProduced',
      data: {
        listId,
        purpose,
        channel,
        preferencesApplied: preferencesApply(purpose),
        publisherIds,
        publisherCount: publisherIds.length,
        basedOnPosition,
        producedAt: now,
      },
    },
  ];
}

export const contactListDecider: Decider<ContactListCommand, ContactListEvent, ContactListState> = {
  initialState: initialContactListState,
  decide: decideContactList,
  evolve: evolveContactList,
};
