import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Column } from '../../src/auth/permissions.js';
import {
  aPublisher,
  openAccessGrant,
  REQUEST_GRANT,
  startTestServer,
  tempDataDir,
  type TestPrincipal,
  type TestServer,
} from '../server/harness.js';
import { COLUMNS, expectedAnswer, readmeTable } from './readme-tables.js';

/**
 * Every cell of the README's permission tables, over HTTP: each operation
 * (and each personal field) run by a member on its own publisher and on
 * another one, and by each app role on both. A refusal must also leave the
 * log untouched.
 */
const member: TestPrincipal = { role: 'member', oid: '5e1f0000-0000-4000-8000-00000000000a' };
const stranger: TestPrincipal = { role: 'member', oid: '5e1f0000-0000-4000-8000-00000000000b' };
const operator: TestPrincipal = { role: 'operator' };
const principalFor = (column: Column): TestPrincipal => (column === 'member' ? member : { role: column });

/**
 * A `grant` cell is run by four operators: one without a grant (the table's
 * default operator), one with an active grant, one whose grant expired and
 * one whose grant was revoked, each on both publishers.
 */
const GRANT_STATES = ['none', 'active', 'expired', 'revoked'] as const;
type GrantState = (typeof GRANT_STATES)[number];
const grantOperators: Record<GrantState, TestPrincipal> = {
  none: operator,
  active: { role: 'operator', oid: '5e1f0000-0000-4000-8000-0000000000c1' },
  expired: { role: 'operator', oid: '5e1f0000-0000-4000-8000-0000000000c2' },
  revoked: { role: 'operator', oid: '5e1f0000-0000-4000-8000-0000000000c3' },
};
/** An operator who requests the grants the approve and revoke cases act on. */
const requester: TestPrincipal = { role: 'operator', oid: '5e1f0000-0000-4000-8000-0000000000c4' };

/** The server's clock runs on the wall clock plus this: the test moves it past a grant's end. */
let clockOffsetMs = 0;
const clock = { now: () => new Date(Date.now() + clockOffsetMs) };

/** A publisher of `owner`, with an offer (with support contacts), a second account, and a privacy request record. */
interface World {
  publisherId: string;
  version: number;
  offerId: string;
  offerVersion: number;
  recordId: string;
  secondOid: string;
  /** a grant `requester` asked for, awaiting approval */
  grantId: string;
}

type Request = { query: string; variables?: Record<string, unknown> };

/** How each operation of the table is called on a world; what it selects is no personal data. */
const requests: Record<string, (w: World) => Request> = {
  me: () => ({ query: '{ me { id } }' }),
  publisher: (w) => ({
    query: 'query ($id: ID!) { publisher(id: $id) { id companyName version } }',
    variables: { id: w.publisherId },
  }),
  offer: (w) => ({ query: 'query ($id: ID!) { offer(id: $id) { id name } }', variables: { id: w.offerId } }),
  offers: (w) => ({
    query: 'query ($p: ID!) { offers(publisherId: $p) { totalCount } }',
    variables: { p: w.publisherId },
  }),
  privacyRequests: (w) => ({
    query: 'query ($p: ID!) { privacyRequests(publisherId: $p) { totalCount } }',
    variables: { p: w.publisherId },
  }),
  registerPublisher: () => ({
    query: 'mutation ($input: RegisterPublisherInput!) { registerPublisher(input: $input) { position } }',
    variables: { input: aPublisher() },
  }),
  updatePublisherContact: (w) => ({
    query: 'mutation ($input: UpdatePublisherContactInput!) { updatePublisherContact(input: $input) { position } }',
    variables: { input: { id: w.publisherId, expectedVersion: w.version, companyName: 'Fabrikam China' } },
  }),
  updateContactPreferences: (w) => ({
    query: 'mutation ($input: UpdateContactPreferencesInput!) { updateContactPreferences(input: $input) { position } }',
    variables: {
      input: {
        id: w.publisherId,
        expectedVersion: w.version,
        contactPreferences: { aboutOffers: true, byEmail: true },
      },
    },
  }),
  addAadUser: (w) => ({
    query: 'mutation ($input: AddAadUserInput!) { addAadUser(input: $input) { position } }',
    variables: {
      input: {
        id: w.publisherId,
        expectedVersion: w.version,
        objectId: randomUUID(),
        userPrincipalName: 'han.meimei@contoso.cn',
        displayName: 'Han Meimei',
      },
    },
  }),
  removeAadUser: (w) => ({
    query: 'mutation ($input: RemoveAadUserInput!) { removeAadUser(input: $input) { position } }',
    variables: { input: { id: w.publisherId, expectedVersion: w.version, objectId: w.secondOid } },
  }),
  approvePublisher: (w) => ({
    query: 'mutation ($input: ReviewPublisherInput!) { approvePublisher(input: $input) { position } }',
    variables: { input: { id: w.publisherId, expectedVersion: w.version } },
  }),
  rejectPublisher: (w) => ({
    query: 'mutation ($input: ReviewPublisherInput!) { rejectPublisher(input: $input) { position } }',
    variables: { input: { id: w.publisherId, expectedVersion: w.version, reason: 'registry has no such code' } },
  }),
  createOffer: (w) => ({
    query: 'mutation ($input: CreateOfferInput!) { createOffer(input: $input) { position } }',
    variables: { input: { publisherId: w.publisherId, name: 'Contoso VM', kind: 'VIRTUAL_MACHINE' } },
  }),
  updateOfferCustomerService: (w) => ({
    query:
      'mutation ($input: UpdateOfferCustomerServiceInput!) { updateOfferCustomerService(input: $input) { position } }',
    variables: {
      input: { id: w.offerId, expectedVersion: w.offerVersion, supportContacts: [{ wechat: 'contoso_help' }] },
    },
  }),
  publishOffer: (w) => ({
    query: 'mutation ($input: OfferChangeInput!) { publishOffer(input: $input) { position } }',
    variables: { input: { id: w.offerId, expectedVersion: w.offerVersion } },
  }),
  deleteOffer: (w) => ({
    query: 'mutation ($input: OfferChangeInput!) { deleteOffer(input: $input) { position } }',
    variables: { input: { id: w.offerId, expectedVersion: w.offerVersion } },
  }),
  deletePrivacyRequestRecord: (w) => ({
    query: 'mutation ($id: ID!) { deletePrivacyRequestRecord(id: $id) { position } }',
    variables: { id: w.recordId },
  }),
  history: (w) => ({
    query: 'query ($id: ID!) { history(kind: PUBLISHER, id: $id) { totalCount } }',
    variables: { id: w.publisherId },
  }),
  exportHistory: (w) => ({
    query: 'query ($p: ID!) { exportHistory(publisherId: $p, format: JSONL) }',
    variables: { p: w.publisherId },
  }),
  auditTrail: () => ({ query: '{ auditTrail(first: 5) { edges { node { type } } } }' }),
  erasePersonalData: (w) => ({
    query: 'mutation ($input: ErasePersonalDataInput!) { erasePersonalData(input: $input) { position } }',
    variables: { input: { publisherId: w.publisherId, target: 'CONTACT' } },
  }),
  closePublisherAccount: (w) => ({
    query: 'mutation ($input: ClosePublisherAccountInput!) { closePublisherAccount(input: $input) { position } }',
    variables: { input: { publisherId: w.publisherId } },
  }),
  analytics: () => ({ query: '{ analytics { publishersByStatus { status count } } }' }),
  accessGrants: (w) => ({
    query: 'query ($p: ID!) { accessGrants(publisherId: $p) { totalCount } }',
    variables: { p: w.publisherId },
  }),
  requestAccessGrant: (w) => ({
    query: REQUEST_GRANT,
    variables: {
      input: {
        publisherId: w.publisherId,
        categories: ['ADMINISTRATOR'],
        reason: 'email bounces',
        ticket: 'INC-7',
        endsAt: inAnHour(),
      },
    },
  }),
  approveAccessGrant: (w) => ({
    query: 'mutation ($input: AccessGrantRefInput!) { approveAccessGrant(input: $input) { position } }',
    variables: { input: { publisherId: w.publisherId, grantId: w.grantId } },
  }),
  revokeAccessGrant: (w) => ({
    query: 'mutation ($input: RevokeAccessGrantInput!) { revokeAccessGrant(input: $input) { position } }',
    variables: { input: { publisherId: w.publisherId, grantId: w.grantId, reason: 'resolved' } },
  }),
  maskedPublisher: (w) => ({
    query: 'query ($id: ID!) { maskedPublisher(id: $id) { id } }',
    variables: { id: w.publisherId },
  }),
  exportPersonalData: (w) => ({
    query: 'query ($p: ID!) { exportPersonalData(publisherId: $p) }',
    variables: { p: w.publisherId },
  }),
  disclosures: (w) => ({
    query: 'query ($p: ID!) { disclosures(publisherId: $p) { totalCount } }',
    variables: { p: w.publisherId },
  }),
  recordDisclosure: (w) => ({
    query: 'mutation ($input: RecordDisclosureInput!) { recordDisclosure(input: $input) { position } }',
    variables: {
      input: {
        publisherId: w.publisherId,
        recipientName: 'Pudong court',
        recipientCountry: 'CN',
        fields: ['contact person email'],
        legalBasis: 'COMPELLED_BY_LAW',
        notice: { notified: true },
      },
    },
  }),
  contactList: () => ({ query: 'mutation { contactList(purpose: BILLING, channel: EMAIL) { publisherCount } }' }),
  verifyIntegrity: (w) => ({
    query: 'query ($s: String!) { verifyIntegrity(streamId: $s) { intact } }',
    variables: { s: `publisher-${w.publisherId}` },
  }),
};

/** How each personal field is reached, on a world. */
const fieldRequests: Record<string, (w: World) => Request> = {
  'Publisher.contact': (w) => ({
    query: 'query ($id: ID!) { publisher(id: $id) { contact { name } } }',
    variables: { id: w.publisherId },
  }),
  'Publisher.aadUsers': (w) => ({
    query: 'query ($id: ID!) { publisher(id: $id) { aadUsers { addedAt } } }',
    variables: { id: w.publisherId },
  }),
  'Offer.supportContacts': (w) => ({
    query: 'query ($id: ID!) { offer(id: $id) { supportContacts { wechat } } }',
    variables: { id: w.offerId },
  }),
  'PrivacyRequestRecord.requestedBy': (w) => ({
    query: 'query ($p: ID!) { privacyRequests(publisherId: $p) { edges { node { requestedBy } } } }',
    variables: { p: w.publisherId },
  }),
};

const inAnHour = () => new Date(clock.now().getTime() + 3_600_000).toISOString();

const operations = readmeTable('operation');
const fields = readmeTable('personal field');
const cases = <T extends { name: string }>(rows: T[]) =>
  rows.flatMap((row) => COLUMNS.flatMap((column) => [true, false].map((own) => ({ row, column, own }))));
/** As cases, with each grant state for a column whose cell is `grant`. */
const fieldCases = (rows: ReturnType<typeof readmeTable>) =>
  cases(rows).flatMap((c) =>
    (c.row.access[c.column] === 'grant' ? GRANT_STATES : (['none'] as const)).map((grant) => ({ ...c, grant })),
  );

describe('the role x operation x own/other publisher matrix, from the README', () => {
  let data: ReturnType<typeof tempDataDir>;
  let server: TestServer;
  const shared = new Map<boolean, World>();

  const ok = async (query: string, variables: Record<string, unknown>, as: TestPrincipal) => {
    const res = await server.gql(query, variables, as);
    expect(res.errors, query).toBeUndefined();
    return res.data!;
  };

  /** A fresh publisher of `owner` with everything every operation needs; approved when asked (publishOffer needs it). */
  async function world(owner: TestPrincipal, approved = false): Promise<World> {
    const registered = await ok(
      'mutation ($input: RegisterPublisherInput!) { registerPublisher(input: $input) { publisher { id } } }',
      { input: aPublisher() },
      owner,
    );
    const publisherId = registered['registerPublisher'].publisher.id;
    const secondOid = randomUUID();
    await ok(
      requests['addAadUser']!({ publisherId, version: 1, secondOid } as World).query,
      {
        input: {
          id: publisherId,
          expectedVersion: 1,
          objectId: secondOid,
          userPrincipalName: 'li.lei@contoso.cn',
          displayName: 'Li Lei',
        },
      },
      owner,
    );
    const offer = await ok(
      'mutation ($input: CreateOfferInput!) { createOffer(input: $input) { offer { id } } }',
      {
        input: { publisherId, name: 'Contoso VM', kind: 'VIRTUAL_MACHINE' },
      },
      owner,
    );
    const offerId = offer['createOffer'].offer.id;
    const contacts = await ok(
      requests['updateOfferCustomerService']!({ offerId, offerVersion: 1 } as World).query,
      {
        input: { id: offerId, expectedVersion: 1, supportContacts: [{ name: 'Support Desk', qq: '12345678' }] },
      },
      owner,
    );
    if (approved)
      await ok(
        requests['approvePublisher']!({ publisherId, version: 2 } as World).query,
        { input: { id: publisherId, expectedVersion: 2 } },
        operator,
      );
    const records = await ok(
      'query ($p: ID!, $at: String) { privacyRequests(publisherId: $p, minPosition: $at) { edges { node { id } } } }',
      {
        p: publisherId,
        at: contacts['updateOfferCustomerService'].position,
      },
      owner,
    );
    const grant = await ok(
      REQUEST_GRANT,
      {
        input: {
          publisherId,
          categories: ['ADMINISTRATOR'],
          reason: 'a pending grant',
          ticket: 'INC-8',
          endsAt: inAnHour(),
        },
      },
      requester,
    );
    const grantId = grant['requestAccessGrant'].grant.id;
    return {
      publisherId,
      version: approved ? 3 : 2,
      offerId,
      offerVersion: 2,
      recordId: records['privacyRequests'].edges[0].node.id,
      secondOid,
      grantId,
    };
  }

  beforeAll(async () => {
    data = tempDataDir('pl-matrix-');
    // approval on: the approve cases need a grant that awaits it
    server = await startTestServer(data.dir, { ACCESS_GRANT_APPROVAL: 'true' }, { clock });
    shared.set(true, await world(member));
    shared.set(false, await world(stranger));
    for (const { publisherId } of shared.values()) {
      const now = clock.now();
      await openAccessGrant(server, grantOperators.active, publisherId, { now });
      await openAccessGrant(server, grantOperators.expired, publisherId, {
        now,
        endsAt: new Date(now.getTime() + 60_000).toISOString(),
      });
      const revoked = await openAccessGrant(server, grantOperators.revoked, publisherId, { now });
      await ok(
        'mutation ($input: RevokeAccessGrantInput!) { revokeAccessGrant(input: $input) { position } }',
        {
          input: { publisherId, grantId: revoked, reason: 'the incident is resolved' },
        },
        operator,
      );
    }
    clockOffsetMs = 2 * 60_000; // past the expiring grants' end, well within the others'
  });
  afterAll(async () => {
    await server.close();
    data.remove();
  });

  it.each(fieldCases(operations))(
    '$row.name by $column on its own publisher ($own), grant: $grant',
    async ({ row, column, own, grant }) => {
      const request = requests[row.name];
      if (!request) throw new Error(`the test has no request for ${row.name}: add one`);
      const isQuery = request(shared.get(own)!).query.trimStart().startsWith('query') || row.name === 'me';
      const target = isQuery ? shared.get(own)! : await world(own ? member : stranger, row.name === 'publishOffer');
      const { query, variables } = request(target);
      // Views are recorded in the background: the earlier cases' records must be in the log before it is measured.
      await server.ledger.services.readRecorder.drain();
      const head = await server.ledger.events.headPosition();
      const res = await server.gql(
        query,
        variables,
        column === 'operator' ? grantOperators[grant] : principalFor(column),
      );
      const refusal = expectedAnswer(row, column, own, grant === 'active');
      if (refusal === null) {
        expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
        expect(res.data?.[row.name]).toBeTruthy();
      } else {
        expect(res.errors?.[0]?.extensions?.['code']).toBe(refusal);
        expect(res.data?.[row.name] ?? null).toBeNull();
        await server.ledger.services.readRecorder.drain();
        expect(await server.ledger.events.headPosition()).toBe(head);
      }
    },
  );

  it.each(fieldCases(fields))(
    'personal field $row.name read by $column on its own publisher ($own), grant: $grant',
    async ({ row, column, own, grant }) => {
      const request = fieldRequests[row.name];
      if (!request) throw new Error(`the test has no request for ${row.name}: add one`);
      const { query, variables } = request(shared.get(own)!);
      const operation = operations.find((op) => query.includes(`${op.name}(`))!;
      const refusal = expectedAnswer(operation, column, own) ?? expectedAnswer(row, column, own, grant === 'active');
      const res = await server.gql(
        query,
        variables,
        column === 'operator' ? grantOperators[grant] : principalFor(column),
      );
      if (refusal === null) {
        expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      } else {
        expect(res.errors?.[0]?.extensions?.['code']).toBe(refusal);
        expect(JSON.stringify(res.data ?? null)).not.toMatch(/Support Desk|Li Lei|contoso\.cn|5e1f0000/);
      }
    },
  );
});
