import { assertNever } from '../../assert-never.js';
import { IdTakenError, IllegalStateError, NotFoundError } from '../../errors.js';
import type { Decider } from '../decider.js';
import { aadAccountSubject, contactSubject } from '../../privacy/data-subjects.js';
import { keyIdsFor, type KeyIdsBySubject, type PublisherPersonalDataErased } from '../erasure/erasure.events.js';
import {
  evolvePublisher,
  initialPublisherState,
  type AadUser,
  type ContactDetails,
  type ContactPreferences,
  type ContactUpdated,
  type PublisherEvent,
  type PublisherState,
  type RegisteredPublisherState,
} from './publisher.events.js';

/**
 * The publisher's commands and the pure `decide`. Commands arrive validated
 * and normalised (see publisher.validation.ts) and carry their instant.
 */
export type RegisterPublisher = {
  type: 'RegisterPublisher';
  data: {
    publisherId: string;
    companyName: string;
    registrationCode: string;
    contact: ContactDetails;
    contactPreferences: ContactPreferences;
    /** the account that registers it, which becomes its first */
    firstUser?: Omit<AadUser, 'addedAt'>;
    now: string;
  };
};

export type UpdatePublisherContact = {
  type: 'UpdatePublisherContact';
  data: { publisherId: string; companyName?: string; contact?: Partial<ContactDetails>; now: string };
};

export type UpdateContactPreferences = {
  type: 'UpdateContactPreferences';
  data: { publisherId: string; contactPreferences: ContactPreferences; now: string };
};

export type AddAadUser = {
  type: 'AddAadUser';
  data: { publisherId: string; user: Omit<AadUser, 'addedAt'>; now: string };
};
export type RemoveAadUser = {
  type: 'RemoveAadUser';
  data: { publisherId: string; objectId: string; now: string };
};

/** An operator's decision on a registration. */
export type ApprovePublisher = { type: 'ApprovePublisher'; data: { publisherId: string; now: string } };
export type RejectPublisher = { type: 'RejectPublisher'; data: { publisherId: string; reason: string; now: string } };

/**
 * Erases one person of the publisher: its contact, or a removed AAD account.
 * `keyIds`: the stream's live key ids by subject, which the erasure records.
 */
export type ErasePublisherSubject = {
  type: 'ErasePublisherSubject';
  data: {
    publisherId: string;
    subject: PublisherPersonalDataErased['data']['subject'];
    keyIds?: KeyIdsBySubject;
    now: string;
  };
};

/** Erases every person of the publisher and closes the account (`keyIds` as for ErasePublisherSubject). */
export type ClosePublisherAccount = {
  type: 'ClosePublisherAccount';
  data: { publisherId: string; keyIds?: KeyIdsBySubject; now: string };
};

export type PublisherCommand =
  | RegisterPublisher
  | ErasePublisherSubject
  | ClosePublisherAccount
  | UpdatePublisherContact
  | UpdateContactPreferences
  | AddAadUser
  | RemoveAadUser
  | ApprovePublisher
  | RejectPublisher;

/** Refusal rule of every change to a closed account (publisher and offer commands). */
export const CLOSED_RULE = 'is closed: the account accepts no further changes';

export function decidePublisher(command: PublisherCommand, state: PublisherState): PublisherEvent[] {
  if (command.type === 'RegisterPublisher') {
    if (state.status !== 'unregistered') {
      throw new IdTakenError(
        'is already registered',
        `publisher ${command.data.publisherId} is already registered`,
        state.id,
      );
    }
    const { now, firstUser, ...data } = command.data;
    return [
      {
        type: 'PublisherRegistered',
        data: { ...data, registeredAt: now, ...(firstUser ? { firstUser: { ...firstUser, addedAt: now } } : {}) },
      },
    ];
  }
  if (state.status !== 'registered') throw new NotFoundError('publisher', command.data.publisherId);
  const publisherId = state.id;
  if (
    state.registrationStatus === 'CLOSED' &&
    command.type !== 'ErasePublisherSubject' &&
    command.type !== 'ClosePublisherAccount'
  ) {
    throw new IllegalStateError(
      'id',
      CLOSED_RULE,
      `the account of publisher ${publisherId} is closed: it accepts no further changes`,
    );
  }
  switch (command.type) {
    case 'UpdatePublisherContact': {
      const changed = changedFields(state, command.data);
      return changed ? [{ type: 'ContactUpdated', data: { ...changed, updatedAt: command.data.now } }] : [];
    }
    case 'UpdateContactPreferences': {
      const { contactPreferences, now } = command.data;
      const same = (Object.keys(contactPreferences) as (keyof ContactPreferences)[]).every(
        (key) => contactPreferences[key] === state.contactPreferences[key],
      );
      return same
        ? []
        : [{ type: 'ContactPreferencesChanged', data: { publisherId, contactPreferences, changedAt: now } }];
    }
    case 'AddAadUser': {
      const { user, now } = command.data;
      if (state.aadUsers.some((existing) => existing.objectId === user.objectId)) {
        throw new IllegalStateError(
          'objectId',
          'already has access to the publisher',
          'this AAD user already has access to the publisher',
        );
      }
      return [{ type: 'AadUserAdded', data: { publisherId, user: { ...user, addedAt: now } } }];
    }
    case 'RemoveAadUser': {
      const user = state.aadUsers.find((existing) => existing.objectId === command.data.objectId);
      if (!user) throw new NotFoundError('AAD user of this publisher');
      if (state.aadUsers.length === 1) {
        throw new IllegalStateError(
          'objectId',
          'is the last AAD user of the publisher, who cannot be removed',
          'the last AAD user of a publisher cannot be removed',
        );
      }
      return [
        { type: 'AadUserRemoved', data: { publisherId, accountId: user.accountId, removedAt: command.data.now } },
      ];
    }
    case 'ApprovePublisher':
      if (state.registrationStatus === 'APPROVED') return [];
      return [{ type: 'PublisherApproved', data: { publisherId, approvedAt: command.data.now } }];
    case 'RejectPublisher':
      if (state.registrationStatus !== 'PENDING') {
        throw new IllegalStateError(
          'id',
          'must be a pending registration to be rejected',
          'only a pending registration can be rejected',
        );
      }
      return [
        { type: 'PublisherRejected', data: { publisherId, reason: command.data.reason, rejectedAt: command.data.now } },
      ];
    case 'ErasePublisherSubject':
      return decideErasure(state, command.data);
    case 'ClosePublisherAccount': {
      if (state.registrationStatus === 'CLOSED') return [];
      const erased = (subject: PublisherPersonalDataErased['data']['subject']): PublisherEvent => ({
        type: 'PersonalDataErased',
        data: {
          publisherId,
          subject,
          scope: 'account',
          erasedAt: command.data.now,
          ...keyIdsFor(command.data.keyIds, subjectIdOf(publisherId, subject)),
        },
      });
      const { contactErased, accountIds, erasedAccountIds } = state.erasure;
      return [
        ...(contactErased ? [] : [erased({ kind: 'contact' })]),
        ...accountIds
          .filter((id) => !erasedAccountIds.includes(id))
          .map((accountId) => erased({ kind: 'aadAccount', accountId })),
        { type: 'PublisherAccountClosed', data: { publisherId, closedAt: command.data.now } },
      ];
    }
    default:
      return assertNever(command);
  }
}

/**
 * One person's erasure; nothing when it is erased already (a retry then only
 * destroys the key again). An AAD account must have lost its access first:
 * an account that can still sign in cannot be nameless.
 */
function decideErasure(
  state: RegisteredPublisherState,
  { subject, keyIds, now }: ErasePublisherSubject['data'],
): PublisherEvent[] {
  const event: PublisherEvent = {
    type: 'PersonalDataErased',
    data: {
      publisherId: state.id,
      subject,
      scope: 'subject',
      erasedAt: now,
      ...keyIdsFor(keyIds, subjectIdOf(state.id, subject)),
    },
  };
  switch (subject.kind) {
    case 'contact':
      return state.erasure.contactErased ? [] : [event];
    case 'aadAccount': {
      const { accountId } = subject;
      if (!state.erasure.accountIds.includes(accountId))
        throw new NotFoundError('AAD account of this publisher', accountId);
      if (state.erasure.erasedAccountIds.includes(accountId)) return [];
      if (state.aadUsers.some((user) => user.accountId === accountId)) {
        throw new IllegalStateError(
          'accountId',
          'still has access: remove it before erasing it',
          'an AAD account that still has access cannot be erased: remove it first',
        );
      }
      return [event];
    }
    default:
      return assertNever(subject);
  }
}

function subjectIdOf(publisherId: string, subject: PublisherPersonalDataErased['data']['subject']): string {
  return subject.kind === 'contact' ? contactSubject(publisherId) : aadAccountSubject(publisherId, subject.accountId);
}

/** Only the fields whose value differs from the current state; null when none. */
function changedFields(
  state: RegisteredPublisherState,
  update: UpdatePublisherContact['data'],
): Omit<ContactUpdated['data'], 'updatedAt'> | null {
  let contact: Partial<ContactDetails> | undefined;
  for (const key of CONTACT_KEYS) {
    const value = update.contact?.[key];
    if (value !== undefined && value !== state.contact[key]) (contact ??= {})[key] = value;
  }
  const companyName =
    update.companyName !== undefined && update.companyName !== state.companyName ? update.companyName : undefined;
  if (companyName === undefined && contact === undefined) return null;
  // set field by field in the stored order (publisherId, companyName, contact): conditional spreads, a keys
  // array and the key list made anew cost every contact edit, the HTTP bench's durable mutation (profile)
  const changed: Omit<ContactUpdated['data'], 'updatedAt'> = { publisherId: state.id };
  if (companyName !== undefined) changed.companyName = companyName;
  if (contact !== undefined) changed.contact = contact;
  return changed;
}

const CONTACT_KEYS = ['name', 'telephone', 'email'] as const;

export const publisherDecider: Decider<PublisherCommand, PublisherEvent, PublisherState> = {
  initialState: initialPublisherState,
  decide: decidePublisher,
  evolve: evolvePublisher,
};
