import { assertNever } from '../../assert-never.js';
import { IllegalStateError, NotFoundError, validateAll, ValidationError } from '../../errors.js';
import { declaredFields } from '../../privacy/classification.js';
import { disclosureRecipientsSubject } from '../../privacy/data-subjects.js';
import type { Decider } from '../decider.js';
import { keyIdsFor, type KeyIdsBySubject } from '../erasure/erasure.events.js';
import type { RegistrationStatus } from '../publisher/publisher.events.js';
import {
  evolveDisclosures,
  initialDisclosureState,
  legalBases,
  type DisclosureEvent,
  type DisclosureNotice,
  type DisclosureState,
  type LegalBasis,
} from './disclosure.events.js';

/** What the operator says of the notice: notified (when), or withheld (the legal reason and until when). */
export interface NoticeInput {
  notified: boolean;
  notifiedAt?: string | null;
  withheldReason?: string | null;
  withheldUntil?: string | null;
}

/**
 * Records a disclosure that happened. Instants arrive as normalised ISO
 * strings (the service parses them); `publisherStatus` is the publisher's
 * as its stream stands (null: there is no such publisher).
 */
export type RecordDisclosure = {
  type: 'RecordDisclosure';
  data: {
    publisherId: string;
    publisherStatus: RegistrationStatus | null;
    disclosureId: string;
    recipient: { name: string; country: string };
    fields: readonly string[];
    legalBasis: string | null;
    disclosedAt: string;
    notice: NoticeInput;
    now: string;
  };
};

/** Part of closing the publisher's account (ErasureService): erases every recipient of its disclosures. */
export type EraseDisclosureRecipients = {
  type: 'EraseDisclosureRecipients';
  data: { publisherId: string; keyIds?: KeyIdsBySubject; now: string };
};

export type DisclosureCommand = RecordDisclosure | EraseDisclosureRecipients;

const labels = new Set(declaredFields.map((field) => field.label));
/** "your basic contact information": all that a third-party complaint may be given */
export const BASIC_CONTACT_FIELDS: readonly string[] = [
  'contact person name',
  'contact person telephone',
  'contact person email',
];
const COUNTRY = /^[A-Z]{2}$/;

const isLegalBasis = (value: string | null): value is LegalBasis =>
  value !== null && (legalBases as readonly string[]).includes(value);

export function decideDisclosure(command: DisclosureCommand, state: DisclosureState): DisclosureEvent[] {
  switch (command.type) {
    case 'RecordDisclosure':
      return [recordDisclosure(command.data, state)];
    case 'EraseDisclosureRecipients': {
      const { publisherId, keyIds, now } = command.data;
      if (state.closed || state.disclosureIds.length === 0) return [];
      return [
        {
          type: 'PersonalDataErased',
          data: {
            publisherId,
            subject: { kind: 'disclosureRecipients' },
            scope: 'account',
            erasedAt: now,
            ...keyIdsFor(keyIds, disclosureRecipientsSubject(publisherId)),
          },
        },
      ];
    }
    default:
      return assertNever(command);
  }
}

function recordDisclosure(data: RecordDisclosure['data'], state: DisclosureState): DisclosureEvent {
  const { publisherId, publisherStatus, disclosureId, recipient, fields, disclosedAt, notice, now } = data;
  if (publisherStatus === null) throw new NotFoundError('publisher', publisherId);
  if (publisherStatus === 'CLOSED' || state.closed) {
    throw new IllegalStateError(
      'publisherId',
      'is closed: its personal data is erased and cannot have been disclosed since',
      `the account of publisher ${publisherId} is closed`,
    );
  }
  const checked = validateAll({
    legalBasis: (): LegalBasis => {
      if (!isLegalBasis(data.legalBasis))
        throw new ValidationError('legalBasis', `is required: one of ${legalBases.join(', ')}`);
      return data.legalBasis;
    },
    fields: () => {
      if (fields.length === 0) throw new ValidationError('fields', 'must name at least one disclosed field');
      if (!fields.every((label) => labels.has(label)))
        throw new ValidationError('fields', 'must name declared personal fields by their label (see docs/privacy.md)');
      return [...new Set(fields)];
    },
    recipientCountry: () => {
      if (!COUNTRY.test(recipient.country))
        throw new ValidationError('recipientCountry', 'must be an ISO 3166-1 alpha-2 country code');
      return recipient.country;
    },
    disclosedAt: () => {
      if (disclosedAt > now)
        throw new ValidationError('disclosedAt', 'must not be in the future: record a disclosure once it happened');
      return disclosedAt;
    },
    notice: () => noticeOf(notice, disclosedAt, now),
  });
  if (
    checked.legalBasis === 'THIRD_PARTY_COMPLAINT' &&
    !checked.fields.every((label) => BASIC_CONTACT_FIELDS.includes(label))
  ) {
    throw new ValidationError(
      'fields',
      `a third-party complaint may be given basic contact information only: ${BASIC_CONTACT_FIELDS.join(', ')}`,
    );
  }
  if (checked.notice.status === 'WITHHELD' && checked.legalBasis !== 'COMPELLED_BY_LAW') {
    throw new ValidationError('notice', 'may be withheld only when the law prohibits it: legal basis COMPELLED_BY_LAW');
  }
  return {
    type: 'DisclosureRecorded',
    data: {
      publisherId,
      disclosureId,
      recipient: { name: recipient.name, country: checked.recipientCountry },
      fields: checked.fields,
      legalBasis: checked.legalBasis,
      disclosedAt,
      notice: checked.notice,
      recordedAt: now,
    },
  };
}

function noticeOf(notice: NoticeInput, disclosedAt: string, now: string): DisclosureNotice {
  const { notified, notifiedAt, withheldReason, withheldUntil } = notice;
  if (notified) {
    if (withheldReason != null || withheldUntil != null)
      throw new ValidationError('notice', 'is either notified or withheld, not both');
    const at = notifiedAt ?? now;
    if (at > now) throw new ValidationError('notice.notifiedAt', 'must not be in the future');
    return { status: 'NOTIFIED', notifiedAt: at };
  }
  if (notifiedAt != null) throw new ValidationError('notice', 'is either notified or withheld, not both');
  return validateAll({
    status: () => 'WITHHELD' as const,
    reason: () => {
      if (!withheldReason)
        throw new ValidationError(
          'notice.withheldReason',
          'is required when notice is withheld: the law or order that prohibits it',
        );
      return withheldReason;
    },
    until: () => {
      if (!withheldUntil)
        throw new ValidationError(
          'notice.withheldUntil',
          'is required when notice is withheld: notice is given once it passes',
        );
      if (withheldUntil <= disclosedAt) throw new ValidationError('notice.withheldUntil', 'must be after disclosedAt');
      return withheldUntil;
    },
  });
}

export const disclosureDecider: Decider<DisclosureCommand, DisclosureEvent, DisclosureState> = {
  initialState: initialDisclosureState,
  decide: decideDisclosure,
  evolve: evolveDisclosures,
};
