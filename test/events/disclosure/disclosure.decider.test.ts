import { describe, expect, it } from 'vitest';
import { IllegalStateError, NotFoundError, ValidationError } from '../../../src/errors.js';
import { disclosureDecider, type RecordDisclosure } from '../../../src/events/disclosure/disclosure.commands.js';
import type { DisclosureEvent } from '../../../src/events/disclosure/disclosure.events.js';
import { fold } from '../../../src/events/decider.js';
import { deciderSpec } from '../decider-spec.js';

const spec = deciderSpec(disclosureDecider);
const publisherId = 'p-1';
const now = '2026-12-01T10:00:00.000Z';
const disclosedAt = '2026-11-30T09:00:00.000Z';

const command = (changes: Partial<RecordDisclosure['data']> = {}): RecordDisclosure => ({
  type: 'RecordDisclosure',
  data: {
    publisherId,
    publisherStatus: 'APPROVED',
    disclosureId: 'd-1',
    recipient: { name: 'Shanghai Intermediate Court', country: 'CN' },
    fields: ['contact person email', 'contact person telephone'],
    legalBasis: 'COMPELLED_BY_LAW',
    disclosedAt,
    notice: { notified: true },
    now,
    ...changes,
  },
});

const recorded: DisclosureEvent = {
  type: 'DisclosureRecorded',
  data: {
    publisherId,
    disclosureId: 'd-1',
    recipient: { name: 'Shanghai Intermediate Court', country: 'CN' },
    fields: ['contact person email', 'contact person telephone'],
    legalBasis: 'COMPELLED_BY_LAW',
    disclosedAt,
    notice: { status: 'NOTIFIED', notifiedAt: now },
    recordedAt: now,
  },
};
const erased: DisclosureEvent = {
  type: 'PersonalDataErased',
  data: { publisherId, subject: { kind: 'disclosureRecipients' }, scope: 'account', erasedAt: now },
};

/** The refusal's field and rule, as the API reports them. */
function refusal(
  data: Partial<RecordDisclosure['data']>,
  given: DisclosureEvent[] = [],
): { field: string; rule: string; invalid?: unknown } {
  try {
    disclosureDecider.decide(command(data), fold(disclosureDecider, given));
  } catch (error) {
    if (error instanceof ValidationError || error instanceof IllegalStateError)
      return {
        field: error.field,
        rule: error.rule,
        ...(error instanceof ValidationError && error.invalid.length > 1 ? { invalid: error.invalid } : {}),
      };
    throw error;
  }
  throw new Error('the command was accepted');
}

describe('disclosure decider', () => {
  it('records who received which fields, why, when and that the publisher was notified; never a value', () => {
    spec.given([]).when(command()).then([recorded]);
  });

  it('a notice withheld by law records the legal reason and until when', () => {
    const until = '2027-03-01T00:00:00.000Z';
    const [event] = disclosureDecider.decide(
      command({ notice: { notified: false, withheldReason: 'Article 28, Cybersecurity Law', withheldUntil: until } }),
      disclosureDecider.initialState,
    );
    expect(event?.type === 'DisclosureRecorded' && event.data.notice).toEqual({
      status: 'WITHHELD',
      reason: 'Article 28, Cybersecurity Law',
      until,
    });
  });

  it('a disclosure without legal basis is refused', () => {
    expect(refusal({ legalBasis: null })).toMatchObject({
      field: 'legalBasis',
      rule: expect.stringMatching(/required/),
    });
    expect(refusal({ legalBasis: 'BECAUSE_ASKED' })).toMatchObject({ field: 'legalBasis' });
  });

  it('a withheld notice without reason, or without end date, is refused; both missing are named in one answer', () => {
    expect(refusal({ notice: { notified: false, withheldUntil: '2027-01-01T00:00:00.000Z' } })).toMatchObject({
      field: 'notice.withheldReason',
    });
    expect(refusal({ notice: { notified: false, withheldReason: 'court order 2026-17' } })).toMatchObject({
      field: 'notice.withheldUntil',
    });
    expect(refusal({ notice: { notified: false } }).invalid).toEqual([
      expect.objectContaining({ field: 'notice.withheldReason' }),
      expect.objectContaining({ field: 'notice.withheldUntil' }),
    ]);
  });

  it('withholding ends after the disclosure, or it is refused', () => {
    expect(
      refusal({ notice: { notified: false, withheldReason: 'court order', withheldUntil: disclosedAt } }),
    ).toMatchObject({ field: 'notice.withheldUntil', rule: 'must be after disclosedAt' });
  });

  it('only a disclosure compelled by law may have its notice withheld', () => {
    const notice = { notified: false, withheldReason: 'court order', withheldUntil: '2027-01-01T00:00:00.000Z' };
    expect(refusal({ legalBasis: 'PUBLISHER_INSTRUCTION', notice })).toMatchObject({
      field: 'notice',
      rule: expect.stringMatching(/COMPELLED_BY_LAW/),
    });
  });

  it('a notice cannot be both given and withheld', () => {
    expect(refusal({ notice: { notified: true, withheldReason: 'court order' } })).toMatchObject({ field: 'notice' });
  });

  it('an unknown field is refused; so is a disclosure of no field', () => {
    expect(refusal({ fields: ['contact person email', 'bank account'] })).toMatchObject({
      field: 'fields',
      rule: expect.stringMatching(/declared personal fields/),
    });
    expect(refusal({ fields: [] })).toMatchObject({ field: 'fields' });
  });

  it('a third-party complaint may be given basic contact information only', () => {
    expect(
      refusal({ legalBasis: 'THIRD_PARTY_COMPLAINT', fields: ['contact person name', 'AAD account object id'] }),
    ).toMatchObject({ field: 'fields', rule: expect.stringMatching(/basic contact information/) });
    expect(
      disclosureDecider.decide(
        command({ legalBasis: 'THIRD_PARTY_COMPLAINT', fields: ['contact person name'] }),
        disclosureDecider.initialState,
      ),
    ).toHaveLength(1);
  });

  it('a disclosure in the future, a notification in the future or a country that is no ISO code is refused', () => {
    expect(refusal({ disclosedAt: '2026-12-02T00:00:00.000Z' })).toMatchObject({ field: 'disclosedAt' });
    expect(refusal({ notice: { notified: true, notifiedAt: '2026-12-02T00:00:00.000Z' } })).toMatchObject({
      field: 'notice.notifiedAt',
    });
    expect(refusal({ recipient: { name: 'Court', country: 'China' } })).toMatchObject({ field: 'recipientCountry' });
  });

  it('an unknown publisher is NOT_FOUND; a closed one is refused, and so is any disclosure after its recipients were erased', () => {
    spec
      .given([])
      .when(command({ publisherStatus: null }))
      .thenThrows(NotFoundError);
    expect(refusal({ publisherStatus: 'CLOSED' })).toMatchObject({
      field: 'publisherId',
      rule: expect.stringMatching(/closed/),
    });
    expect(refusal({}, [recorded, erased])).toMatchObject({ field: 'publisherId' });
  });

  it('closing the account erases the recipients once, with the key ids it destroys; with no disclosure there is nothing to erase', () => {
    const erase = {
      type: 'EraseDisclosureRecipients' as const,
      data: { publisherId, keyIds: { [`publisher/${publisherId}/disclosure-recipients`]: ['k1'] }, now },
    };
    spec
      .given([recorded])
      .when(erase)
      .then([{ ...erased, data: { ...erased.data, keyIds: ['k1'] } } as DisclosureEvent]);
    spec.given([recorded, erased]).when(erase).then([]);
    spec.given([]).when(erase).then([]);
  });
});
