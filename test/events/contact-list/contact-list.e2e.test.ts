import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/clock.js';
import {
  aPublisher,
  REGISTER,
  startTestServer,
  tempDataDir,
  type TestPrincipal,
  type TestServer,
} from '../../server/harness.js';

/**
 * Contact lists over HTTP, through every role: only operators draw them;
 * marketing lists keep the stored preferences, service lists say they
 * ignore them; each list is in the audit trail with its position, and each
 * publisher on it has a USE record its members see.
 */
const operator: TestPrincipal = { role: 'operator' };
const auditor: TestPrincipal = { role: 'auditor' };
const analyst: TestPrincipal = { role: 'analyst' };
const owner = (n: number): TestPrincipal => ({ role: 'member', oid: `5e1f0000-0000-4000-8000-0000000000c${n}` });

const LIST = `mutation ($purpose: ContactPurpose!, $channel: ContactChannel!) {
  contactList(purpose: $purpose, channel: $channel) { id purpose channel preferencesApplied publisherCount basedOnPosition position entries { publisherId companyName contactName value } }
}`;
const PREFERENCES = `mutation ($input: UpdateContactPreferencesInput!) { updateContactPreferences(input: $input) { version position } }`;
const RECORDS = `query ($p: ID!) { privacyRequests(publisherId: $p) { edges { node { id kind target requestedBy requestedAt } } } }`;
const TRAIL = `query ($filter: AuditTrailFilter) { auditTrail(first: 20, filter: $filter) { edges { node { type position publisherId changedFields actor { id } } } } }`;
const CLOSE = `mutation ($input: ClosePublisherAccountInput!) { closePublisherAccount(input: $input) { position } }`;
const DAYS = `{ analytics { changesPerDay(from: "2026-12-01", to: "2026-12-01") { day disclosures contactLists } } }`;

describe('contact lists over HTTP', () => {
  let data: ReturnType<typeof tempDataDir>;
  let server: TestServer;
  const clock: Clock = { now: () => new Date('2026-12-01T10:00:00.000Z') };
  /** offers by email; offers by phone; no contact at all; closed (it had opted in to everything) */
  const ids = { email: '', phone: '', none: '', closed: '' };

  const register = async (n: number, contactPreferences: Record<string, boolean>, email: string) => {
    const res = await server.gql(
      REGISTER,
      {
        input: aPublisher({
          companyName: `Contoso ${n}`,
          contact: { name: `Li Lei ${n}`, telephone: `138 0013 800${n}`, email },
          contactPreferences,
        }),
      },
      owner(n),
    );
    expect(res.errors).toBeUndefined();
    return res.data!['registerPublisher'].publisher.id as string;
  };
  const list = async (purpose: string, channel: string, as: TestPrincipal = operator) =>
    server.gql(LIST, { purpose, channel }, as);

  beforeAll(async () => {
    data = tempDataDir('pl-contact-lists-');
    server = await startTestServer(data.dir, {}, { clock });
    ids.email = await register(1, { aboutOffers: true, byEmail: true }, 'one@contoso.cn');
    ids.phone = await register(2, { aboutOffers: true, byPhone: true }, 'two@contoso.cn');
    ids.none = await register(3, {}, 'three@contoso.cn');
    ids.closed = await register(
      4,
      { aboutOffers: true, aboutFeedback: true, byEmail: true, byPhone: true },
      'four@contoso.cn',
    );
    expect((await server.gql(CLOSE, { input: { publisherId: ids.closed } }, owner(4))).errors).toBeUndefined();
  });
  afterAll(async () => {
    await server.close();
    data.remove();
  });

  it('offers by email: only the publisher who opted in to offers and to email, with its email to use', async () => {
    const res = await list('OFFERS', 'EMAIL');
    expect(res.errors).toBeUndefined();
    expect(res.data!['contactList']).toMatchObject({
      purpose: 'OFFERS',
      channel: 'EMAIL',
      preferencesApplied: true,
      publisherCount: 1,
      entries: [{ publisherId: ids.email, companyName: 'Contoso 1', contactName: 'Li Lei 1', value: 'one@contoso.cn' }],
    });
    const phone = (await list('OFFERS', 'PHONE')).data!['contactList'];
    expect(phone.entries).toEqual([
      { publisherId: ids.phone, companyName: 'Contoso 2', contactName: 'Li Lei 2', value: '+8613800138002' },
    ]);
    expect((await list('FEEDBACK', 'EMAIL')).data!['contactList'].entries).toEqual([]);
  });

  it('billing, security and legal notices ignore the preferences and say so; a closed account is never listed', async () => {
    for (const purpose of ['BILLING', 'SECURITY', 'LEGAL']) {
      const found = (await list(purpose, 'EMAIL')).data!['contactList'];
      expect(found.preferencesApplied).toBe(false);
      expect(found.entries.map((entry: { publisherId: string }) => entry.publisherId).sort()).toEqual(
        [ids.email, ids.phone, ids.none].sort(),
      );
    }
  });

  it('members, auditors and analysts may not draw a list, and their refusal records nothing', async () => {
    const head = await server.ledger.events.headPosition();
    for (const as of [owner(1), auditor, analyst]) {
      const res = await list('BILLING', 'EMAIL', as);
      expect(res.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect(JSON.stringify(res.data ?? null)).not.toContain('contoso.cn');
    }
    expect(await server.ledger.events.headPosition()).toBe(head);
  });

  it('each publisher on a list has a USE record of the value handed out, requested by the operator; one not on it has none for that list', async () => {
    const produced = (await list('OFFERS', 'EMAIL')).data!['contactList'];
    const records = async (publisherId: string, as: TestPrincipal) =>
      (await server.gql(RECORDS, { p: publisherId }, as)).data!['privacyRequests'].edges.map(
        (edge: { node: Record<string, string> }) => edge.node,
      );
    const uses = (await records(ids.email, owner(1))).filter((record: { kind: string }) => record.kind === 'USE');
    // 'OFFERS by EMAIL' twice, and once in each of the three service lists
    expect(uses).toHaveLength(5);
    expect(uses.every((record: { target: string }) => record.target === 'contact.email')).toBe(true);
    expect(uses[0].requestedBy).toMatch(/^actor-/);
    const phoneUses = (await records(ids.phone, owner(2))).filter((record: { kind: string }) => record.kind === 'USE');
    // one clock instant for every list: the order among them is the records' ids'
    expect(phoneUses.map((record: { target: string }) => record.target).sort()).toEqual([
      'contact.email',
      'contact.email',
      'contact.email',
      'contact.telephone',
    ]);
    expect(produced.publisherCount).toBe(1);
  });

  it("the auditor sees the list in the trail, with no contact value, and a preference changed afterwards at a later position than the list's", async () => {
    const produced = (await list('OFFERS', 'EMAIL')).data!['contactList'];
    expect(Number(produced.basedOnPosition)).toBeLessThan(Number(produced.position));
    const changed = await server.gql(
      PREFERENCES,
      { input: { id: ids.email, expectedVersion: 1, contactPreferences: { aboutOffers: false, byEmail: true } } },
      owner(1),
    );
    expect(changed.errors).toBeUndefined();
    const read = await server.gql(
      TRAIL,
      { filter: { eventTypes: ['ContactListProduced', 'ContactPreferencesChanged'] } },
      auditor,
    );
    expect(read.errors).toBeUndefined();
    const trail = read.data!['auditTrail'].edges.map((edge: { node: Record<string, unknown> }) => edge.node);
    const entry = trail.find((node: { position: string }) => node.position === produced.position);
    expect(entry).toMatchObject({ type: 'ContactListProduced', publisherId: null });
    expect(JSON.stringify(trail)).not.toContain('contoso.cn');
    const change = trail.find((node: { type: string }) => node.type === 'ContactPreferencesChanged');
    expect(change.publisherId).toBe(ids.email);
    expect(Number(change.position)).toBeGreaterThan(Number(produced.position));
    // and the next list keeps the new preference
    expect((await list('OFFERS', 'EMAIL')).data!['contactList'].entries).toEqual([]);
  });

  it('analysts count the lists of the day, and nothing else of them', async () => {
    const res = await server.gql(DAYS, {}, analyst);
    expect(res.errors).toBeUndefined();
    // 3 in the first test, 3 service lists, 1 in the USE test, 2 in the trail test (refused ones are not lists)
    expect(res.data!['analytics'].changesPerDay).toEqual([{ day: '2026-12-01', disclosures: 0, contactLists: 9 }]);
  });
});
