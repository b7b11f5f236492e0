import { assertNever } from '../../assert-never.js';
import type { DomainEvent } from '../decider.js';
import type { DisclosurePersonalDataErased } from '../erasure/erasure.events.js';

/**
 * Disclosures of a publisher's data to a third party (the privacy
 * statement's "Sharing Your Information"): one stream per publisher,
 * `disclosures-<publisherId>`, so that closing the account erases every
 * recipient of the publisher's disclosures with one append.
 *
 * A record says to whom, which fields (by their label in the one
 * classification, src/privacy/classification.ts), why, when and whether the
 * publisher was told. The disclosed values themselves are never copied
 * here. The recipient's name is personal data of the recipient (a
 * complainant may be a person), sealed under the publisher's
 * `disclosure-recipients` subject; its country is not.
 */
export const disclosureStream = (publisherId: string): string => `disclosures-${publisherId}`;

export const legalBases = ['COMPELLED_BY_LAW', 'THIRD_PARTY_COMPLAINT', 'PUBLISHER_INSTRUCTION'] as const;
export type LegalBasis = (typeof legalBases)[number];

/**
 * Whether the publisher was told: notified (when), or notice withheld
 * because the law prohibits it (which law or order, and until when). A
 * withheld disclosure becomes visible to the publisher's members once
 * `until` has passed: that visibility is the notice.
 */
export type DisclosureNotice =
  { status: 'NOTIFIED'; notifiedAt: string } | { status: 'WITHHELD'; reason: string; until: string };

export interface DisclosureRecipient<P = string> {
  name: P;
  /** ISO 3166-1 alpha-2 */
  country: string;
}

export type DisclosureRecorded<P = string> = DomainEvent<
  'DisclosureRecorded',
  {
    publisherId: string;
    disclosureId: string;
    recipient: DisclosureRecipient<P>;
    /** labels of declared personal fields */
    fields: string[];
    legalBasis: LegalBasis;
    disclosedAt: string;
    notice: DisclosureNotice;
    recordedAt: string;
  }
>;

export type DisclosureEvent<P = string> = DisclosureRecorded<P> | DisclosurePersonalDataErased;

export interface DisclosureState {
  disclosureIds: string[];
  /** the recipients were erased with the publisher's account: no disclosure may be recorded any more */
  closed: boolean;
}

export const initialDisclosureState: DisclosureState = { disclosureIds: [], closed: false };

/** The instant from which the publisher's members see a disclosure. */
export function visibleFrom(notice: DisclosureNotice, recordedAt: string): string {
  switch (notice.status) {
    case 'NOTIFIED':
      return recordedAt;
    case 'WITHHELD':
      return notice.until;
    default:
      return assertNever(notice);
  }
}

export function evolveDisclosures<P>(state: DisclosureState, event: DisclosureEvent<P>): DisclosureState {
  switch (event.type) {
    case 'DisclosureRecorded':
      return { ...state, disclosureIds: [...state.disclosureIds, event.data.disclosureId] };
    case 'PersonalDataErased':
      return { ...state, closed: true };
    default:
      return assertNever(event);
  }
}
