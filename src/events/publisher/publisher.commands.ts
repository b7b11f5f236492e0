import { assertNever } from '../../assert-never.js';
import { IllegalStateError, NotFoundError } from '../../errors.js';
import type { Decider } from '../decider.js';
import {
  evolvePublisher,
  initialPublisherState,
  type ContactDetails,
  type ContactUpdated,
  type PublisherEvent,
  type PublisherState,
} from './publisher.events.js';

/**
 * The publisher's commands and the pure `decide`. Commands arrive validated
 * and normalised (see publisher.validation.ts) and carry their instant.
 */
export type RegisterPublisher = {
  type: 'RegisterPublisher';
  data: { publisherId: string; companyName: string; contact: ContactDetails; now: string };
};

export type UpdatePublisherContact = {
  type: 'UpdatePublisherContact';
  data: {
    publisherId: string;
    companyName?: string;
    contact?: Partial<ContactDetails>;
    now: string;
  };
};

export type PublisherCommand = RegisterPublisher | UpdatePublisherContact;

export function decidePublisher(command: PublisherCommand, state: PublisherState): PublisherEvent[] {
  switch (command.type) {
    case 'RegisterPublisher': {
      if (state.status !== 'unregistered') {
        throw new IllegalStateError(`publisher ${command.data.publisherId} is already registered`);
      }
      const { publisherId, companyName, contact, now } = command.data;
      return [
        { type: 'PublisherRegistered', data: { publisherId, companyName, contact, registeredAt: now } },
      ];
    }
    case 'UpdatePublisherContact': {
      if (state.status !== 'registered') throw new NotFoundError('publisher', command.data.publisherId);
      const changed = changedFields(state, command.data);
      if (!changed) return [];
      return [{ type: 'ContactUpdated', data: { ...changed, updatedAt: command.data.now } }];
    }
    default:
      return assertNever(command);
  }
}

/** Only the fields whose value differs from the current state; null when none. */
function changedFields(
  state: Extract<PublisherState, { status: 'registered' }>,
  update: UpdatePublisherContact['data'],
): Omit<ContactUpdated['data'], 'updatedAt'> | null {
  const contact: Partial<ContactDetails> = {};
  for (const key of ['name', 'telephone', 'email'] as const) {
    const value = update.contact?.[key];
    if (value !== undefined && value !== state.contact[key]) contact[key] = value;
  }
  const companyName =
    update.companyName !== undefined && update.companyName !== state.companyName
      ? update.companyName
      : undefined;
  const hasContact = Object.keys(contact).length > 0;
  if (companyName === undefined && !hasContact) return null;
  return {
    publisherId: state.id,
    ...(companyName !== undefined ? { companyName } : {}),
    ...(hasContact ? { contact } : {}),
  };
}

export const publisherDecider: Decider<PublisherCommand, PublisherEvent, PublisherState> = {
  initialState: initialPublisherState,
  decide: decidePublisher,
  evolve: evolvePublisher,
};
