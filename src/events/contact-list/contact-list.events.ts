import { assertNever } from '../../assert-never.js';
import type { DomainEvent } from '../decider.js';
import type { ContactPreferences, RegistrationStatus } from '../publisher/publisher.events.js';

/**
 * Contact lists: which publishers the operator may contact for one purpose
 * by one channel, as the privacy statement promises ("subject to your
 * contact preferences" for offers and feedback; billing, security and legal
 * notices regardless). Each list produced is one event in its own stream
 * `contact-list-<listId>`: who produced it (the event's actor), for what,
 * and which publishers it named. Publisher ids name companies, not people;
 * the contact values handed out are never in it. Each publisher named gets
 * a privacy request record of kind USE (derived from this event by the
 * privacy-request projection, so the list and its records are one append).
 */
export const contactListStream = (listId: string): string => `contact-list-${listId}`;

export const contactPurposes = ['OFFERS', 'FEEDBACK', 'BILLING', 'SECURITY', 'LEGAL'] as const;
export type ContactPurpose = (typeof contactPurposes)[number];

export const contactChannels = ['EMAIL', 'PHONE'] as const;
export type ContactChannel = (typeof contactChannels)[number];

/** Marketing purposes obey the stored preferences; service purposes do not (the statement: "you will not be able to unsubscribe"). */
export function preferencesApply(purpose: ContactPurpose): boolean {
  switch (purpose) {
    case 'OFFERS':
    case 'FEEDBACK':
      return true;
    case 'BILLING':
    case 'SECURITY':
    case 'LEGAL':
      return false;
    default:
      return assertNever(purpose);
  }
}

/** What deciding on a publisher needs, and nothing personal: whether it has a value for the channel, not the value. */
export interface ContactCandidate {
  publisherId: string;
  registrationStatus: RegistrationStatus;
  contactPreferences: ContactPreferences;
  hasValue: boolean;
}

/**
 * May the publisher be contacted for `purpose` by `channel`? Never a closed
 * account (its people are erased) nor one without a value for the channel;
 * for offers and feedback only with both opt-ins (topic and channel).
 */
export function mayContact(purpose: ContactPurpose, channel: ContactChannel, candidate: ContactCandidate): boolean {
  if (candidate.registrationStatus === 'CLOSED' || !candidate.hasValue) return false;
  if (!preferencesApply(purpose)) return true;
  const { aboutOffers, aboutFeedback, byEmail, byPhone } = candidate.contactPreferences;
  const topic = purpose === 'OFFERS' ? aboutOffers : aboutFeedback;
  const how = channel === 'EMAIL' ? byEmail : byPhone;
  return topic && how;
}

export type ContactListProduced = DomainEvent<
  'ContactListProduced',
  {
    listId: string;
    purpose: ContactPurpose;
    channel: ContactChannel;
    /** false for service purposes: the stored preferences were not consulted */
    preferencesApplied: boolean;
    publisherIds: string[];
    publisherCount: number;
    /**
     * The log position the preferences were read at: a preference change
     * at a later position (before or after this event's own) is not
     * reflected in the list.
     */
    basedOnPosition: number;
    producedAt: string;
  }
>;

export type ContactListEvent = ContactListProduced;

export type ContactListState = { produced: boolean };

export const initialContactListState: ContactListState = { produced: false };

export function evolveContactList(state: ContactListState, event: ContactListEvent): ContactListState {
  switch (event.type) {
    case 'ContactListProduced':
      return { produced: true };
    default:
      return assertNever(event.type);
  }
}
