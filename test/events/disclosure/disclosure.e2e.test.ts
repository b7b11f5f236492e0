import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/clock.js';
import { embeddedFiles } from '../../../src/server/ledger.js';
import {
  openAccessGrant,
  aPublisher,
  REGISTER,
  startTestServer,
  tempDataDir,
  type TestPrincipal,
  type TestServer,
} from '../../server/harness.js';

/**
 * Disclosures over HTTP, through every role: operators record them,
 * auditors and operators see all, a publisher's members see one once its
 * notice may be given (by the server's clock), analysts and other
 * publishers' members nothing. The recipient's name is sealed in the log,
 * in the member's export once told, and erased with the account.
 */
const member: TestPrincipal = { role: 'member', oid: '5e1f0000-0000-4000-8000-0000000000d1' };
const stranger: TestPrincipal = { role: 'member', oid: '5e1f0000-0000-4000-8000-0000000000d2' };
const operator: TestPrincipal = { role: 'operator' };
const auditor: TestPrincipal = { role: 'auditor' };
const analyst: TestPrincipal = { role: 'analyst' };

const RECORD = `mutation ($input: RecordDisclosureInput!) { recordDisclosure(input: $input) { id position } }`;
const LIST = `query ($p: ID!) { disclosures(publisherId: $p) { totalCount edges { node { id recipient { name country erased } fields legalBasis disclosedAt notice { status notifiedAt reason until } recordedBy } } } }`;
const EXPORT = `query ($p: ID!) { exportPersonalData(publisherId: $p) }`;
const CLOSE = `mutation ($input: ClosePublisherAccountInput!) { closePublisherAccount(input: $input) { position } }`;

const COURT = 'Pudong Intermediate Court';
const COMPLAINANT = 'Wenjing Haoyu';

describe('disclosures over HTTP', () => {
  let data: ReturnType<typeof tempDataDir>;
  let server: TestServer;
  let now = '2026-12-01T10:00:00.000Z';
  const clock: Clock = { now: () => new Date(now) };
  let publisherId: string;
  const ids: Record<'notified' | 'withheld', string> = { notified: '', withheld: '' };

  const disclosure = (fields: Record<string, unknown> = {}) => ({
    publisherId,
    recipientName: COURT,
    recipientCountry: 'cn',
    fields: ['contact person email', 'contact person telephone'],
    legalBasis: 'COMPELLED_BY_LAW',
    disclosedAt: '2026-11-30T09:00:00+08:00',
    notice: { notified: true },
    ...fields,
  });
  const seenBy = async (as: TestPrincipal) => {
    const res = await server.gql(LIST, { p: publisherId }, as);
    expect(res.errors).toBeUndefined();
    return res.data!['disclosures'].edges.map((edge: { node: { id: string } }) => edge.node);
  };

  beforeAll(async () => {
    data = tempDataDir('pl-disclosures-');
    server = await startTestServer(data.dir, {}, { clock });
    publisherId = (await server.gql(REGISTER, { input: aPublisher() }, member)).data!['registerPublisher'].publisher.id;
    const notified = await server.gql(RECORD, { input: disclosure() }, operator);
    expect(notified.errors).toBeUndefined();
    ids.notified = notified.data!['recordDisclosure'].id;
    const withheld = await server.gql(
      RECORD,
      {
        input: disclosure({
          recipientName: COMPLAINANT,
          fields: ['contact person name'],
          disclosedAt: '2026-11-30T12:00:00Z',
          notice: {
            notified: false,
            withheldReason: 'Order 2026-117 prohibits notice',
            withheldUntil: '2027-01-01T00:00:00Z',
          },
        }),
      },
      operator,
    );
    expect(withheld.errors).toBeUndefined();
    ids.withheld = withheld.data!['recordDisclosure'].id;
  });
  afterAll(async () => {
    await server.close();
    data.remove();
  });

  it('an operator records to whom, what, why, when and the notice; the country is normalised, instants in UTC', async () => {
    const [latest, first] = await seenBy(auditor);
    expect(first).toMatchObject({
      id: ids.notified,
      recipient: { name: COURT, country: 'CN', erased: false },
      fields: ['contact person email', 'contact person telephone'],
      legalBasis: 'COMPELLED_BY_LAW',
      disclosedAt: '2026-11-30T01:00:00.000Z',
      notice: { status: 'NOTIFIED', notifiedAt: now, reason: null, until: null },
    });
    expect(latest).toMatchObject({
      id: ids.withheld,
      notice: { status: 'WITHHELD', reason: 'Order 2026-117 prohibits notice', until: '2027-01-01T00:00:00.000Z' },
    });
    expect(first.recordedBy).toMatch(/^actor-/);
  });

  it('the publisher member sees the notified disclosure only; auditors and operators see both', async () => {
    expect((await seenBy(member)).map((d: { id: string }) => d.id)).toEqual([ids.notified]);
    expect((await seenBy(auditor)).map((d: { id: string }) => d.id)).toEqual([ids.withheld, ids.notified]);
    expect((await seenBy(operator)).map((d: { id: string }) => d.id)).toEqual([ids.withheld, ids.notified]);
  });

  it("analysts and another publisher's members may not read them; only operators record them, and a refusal appends nothing", async () => {
    for (const as of [analyst, stranger]) {
      const res = await server.gql(LIST, { p: publisherId }, as);
      expect(res.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect(JSON.stringify(res.data)).not.toContain(COURT);
    }
    const head = await server.ledger.events.headPosition();
    for (const as of [member, auditor, analyst, stranger]) {
      const res = await server.gql(RECORD, { input: disclosure() }, as);
      expect(res.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    }
    expect(await server.ledger.events.headPosition()).toBe(head);
  });

  it('a disclosure without legal basis, or with an unknown field, is BAD_USER_INPUT naming the field, and nothing is recorded', async () => {
    const head = await server.ledger.events.headPosition();
    const noBasis = await server.gql(RECORD, { input: disclosure({ legalBasis: null }) }, operator);
    expect(noBasis.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'legalBasis' });
    const unknown = await server.gql(RECORD, { input: disclosure({ fields: ['passport number'] }) }, operator);
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'fields' });
    const withheld = await server.gql(RECORD, { input: disclosure({ notice: { notified: false } }) }, operator);
    expect(withheld.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'notice.withheldReason' });
    expect(await server.ledger.events.headPosition()).toBe(head);
  });

  it("the member's export tells the disclosures they may be told of, never the disclosed values; the withheld one once its time has passed", async () => {
    const before = JSON.parse((await server.gql(EXPORT, { p: publisherId }, member)).data!['exportPersonalData']);
    expect(before.disclosures.map((d: { disclosureId: string }) => d.disclosureId)).toEqual([ids.notified]);
    expect(before.disclosures[0]).toEqual({
      disclosureId: ids.notified,
      recipient: { name: COURT, country: 'CN' },
      fields: ['contact person email', 'contact person telephone'],
      legalBasis: 'COMPELLED_BY_LAW',
      disclosedAt: '2026-11-30T01:00:00.000Z',
      notice: { status: 'NOTIFIED', notifiedAt: '2026-12-01T10:00:00.000Z' },
    });
    // even an operator's export (under an access grant) leaves out what the law still keeps from the publisher
    await openAccessGrant(server, operator, publisherId, { now: new Date(now) });
    const operators = JSON.parse((await server.gql(EXPORT, { p: publisherId }, operator)).data!['exportPersonalData']);
    expect(JSON.stringify(operators)).not.toContain(COMPLAINANT);

    now = '2027-01-01T00:00:00.000Z';
    expect((await seenBy(member)).map((d: { id: string }) => d.id)).toEqual([ids.withheld, ids.notified]);
    const after = JSON.parse((await server.gql(EXPORT, { p: publisherId }, member)).data!['exportPersonalData']);
    expect(after.disclosures.map((d: { recipient: { name: string } }) => d.recipient.name)).toEqual([
      COURT,
      COMPLAINANT,
    ]);
  });

  it('analysts count the disclosures of the day, and see nothing else of them', async () => {
    const res = await server.gql(
      `{ analytics { changesPerDay(from: "2026-12-01", to: "2026-12-01") { day disclosures contactLists } } }`,
      {},
      analyst,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!['analytics'].changesPerDay).toEqual([{ day: '2026-12-01', disclosures: 2, contactLists: 0 }]);
  });

  it("closing the account erases the recipients' names everywhere; the records stay, and no disclosure may be recorded since", async () => {
    // the log and its write-ahead file: sealed, the name is never in clear
    const logFiles = fs.readdirSync(data.dir).filter((file) => file.startsWith(embeddedFiles.events));
    expect(logFiles.length).toBeGreaterThan(0);
    const bytes = logFiles.map((file) => fs.readFileSync(path.join(data.dir, file)).toString('latin1')).join('');
    expect(bytes).toContain('DisclosureRecorded');
    expect(bytes).not.toContain(COMPLAINANT);
    const closed = await server.gql(CLOSE, { input: { publisherId } }, member);
    expect(closed.errors).toBeUndefined();
    const seen = await seenBy(auditor);
    expect(seen.map((d: { recipient: unknown }) => d.recipient)).toEqual([
      { name: null, country: 'CN', erased: true },
      { name: null, country: 'CN', erased: true },
    ]);
    expect(seen[1].legalBasis).toBe('COMPELLED_BY_LAW');
    await openAccessGrant(server, operator, publisherId, { now: new Date(now) });
    const exported = (await server.gql(EXPORT, { p: publisherId }, operator)).data!['exportPersonalData'];
    expect(exported).not.toContain(COURT);
    expect(JSON.parse(exported).disclosures[0].recipient.name).toEqual({ $erased: true });
    const refused = await server.gql(RECORD, { input: disclosure() }, operator);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'publisherId' });
  });
});
