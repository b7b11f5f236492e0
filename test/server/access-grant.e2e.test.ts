import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aPublisher,
  APPROVING_OPERATOR,
  openAccessGrant,
  REGISTER,
  REQUEST_GRANT,
  startTestServer,
  tempDataDir,
  type GqlResponse,
  type TestPrincipal,
  type TestServer,
} from './harness.js';

const owner: TestPrincipal = { role: 'member', oid: '6a000000-0000-4000-8000-000000000001' };
const stranger: TestPrincipal = { role: 'member', oid: '6a000000-0000-4000-8000-000000000002' };
const operator: TestPrincipal = { role: 'operator', oid: '6a000000-0000-4000-8000-0000000000a1' };
const auditor: TestPrincipal = { role: 'auditor' };
const analyst: TestPrincipal = { role: 'analyst' };

const CONTACT = 'query ($id: ID!) { publisher(id: $id) { contact { name email } } }';
const SUPPORT = 'query ($id: ID!) { offer(id: $id) { supportContacts { qq } } }';
const GRANTS = `query ($p: ID!) { accessGrants(publisherId: $p) { totalCount edges { node {
  id status emergency categories reason ticket grantee approvedBy revokedBy revokeReason offerId accesses { target category at } } } } }`;
const RECORDS =
  'query ($p: ID!) { privacyRequests(publisherId: $p, first: 50) { edges { node { kind target accessGrantId emergencyAccess } } } }';
const REVOKE =
  'mutation ($input: RevokeAccessGrantInput!) { revokeAccessGrant(input: $input) { grant { status revokeReason } } }';
const APPROVE =
  'mutation ($input: AccessGrantRefInput!) { approveAccessGrant(input: $input) { grant { status approvedBy } } }';

const code = (res: GqlResponse<unknown>) => res.errors?.[0]?.extensions?.['code'];

/** A server whose clock the test moves (tokens keep the wall clock). */
async function serverWithClock(env: Record<string, string> = {}) {
  const data = tempDataDir('pl-grants-');
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  const server = await startTestServer(data.dir, env, { clock });
  return {
    server,
    clock,
    advance: (ms: number) => (offsetMs += ms),
    close: async () => {
      await server.close();
      data.remove();
    },
  };
}

describe('access grants over HTTP, through every role', () => {
  let world: Awaited<ReturnType<typeof serverWithClock>>;
  let server: TestServer;
  let publisherId: string;
  let offerId: string;
  let otherOfferId: string;

  const request = (input: Record<string, unknown>, as: TestPrincipal = operator) =>
    server.gql(
      REQUEST_GRANT,
      {
        input: {
          publisherId,
          categories: ['ADMINISTRATOR'],
          reason: 'contact email bounces',
          ticket: 'INC-1',
          ...input,
        },
      },
      as,
    );
  const inMinutes = (minutes: number) => new Date(world.clock.now().getTime() + minutes * 60_000).toISOString();
  /** Reads are recorded in the background: wait for their records, then for the read models to fold them. */
  const settled = async () => {
    await server.ledger.services.readRecorder.drain();
    await server.ledger.runner.waitFor(await server.ledger.events.headPosition(), 5_000);
  };
  const grants = async (as: TestPrincipal = owner) => {
    await settled();
    const res = await server.gql(GRANTS, { p: publisherId }, as);
    expect(res.errors).toBeUndefined();
    return res.data!['accessGrants'].edges.map((edge: { node: Record<string, any> }) => edge.node) as Record<
      string,
      any
    >[];
  };
  const createOffer = async () => {
    const created = await server.gql(
      'mutation ($input: CreateOfferInput!) { createOffer(input: $input) { offer { id } } }',
      {
        input: { publisherId, name: 'Contoso VM', kind: 'VIRTUAL_MACHINE' },
      },
      owner,
    );
    const id = created.data!['createOffer'].offer.id as string;
    await server.gql(
      'mutation ($input: UpdateOfferCustomerServiceInput!) { updateOfferCustomerService(input: $input) { position } }',
      {
        input: { id, expectedVersion: 1, supportContacts: [{ name: 'Support Desk', qq: '12345678' }] },
      },
      owner,
    );
    return id;
  };

  beforeAll(async () => {
    world = await serverWithClock();
    server = world.server;
    publisherId = (await server.gql(REGISTER, { input: aPublisher() }, owner)).data!['registerPublisher'].publisher.id;
    offerId = await createOffer();
    otherOfferId = await createOffer();
  });
  afterAll(() => world.close());

  it('without a grant an operator is refused personal values, and reads the masked view as an analyst does', async () => {
    expect(code(await server.gql(CONTACT, { id: publisherId }, operator))).toBe('FORBIDDEN');
    const masked = await server.gql(
      'query ($id: ID!) { maskedPublisher(id: $id) { contact { email } } }',
      { id: publisherId },
      operator,
    );
    expect(masked.errors).toBeUndefined();
    expect(masked.data!['maskedPublisher'].contact.email).toBe('*@contoso.cn');
  });

  it('under a grant the operator reads them; the read is recorded against the grant, and the publisher sees both', async () => {
    const requested = await request({ endsAt: inMinutes(60) });
    expect(requested.errors).toBeUndefined();
    const grantId = requested.data!['requestAccessGrant'].grant.id;
    expect(requested.data!['requestAccessGrant'].grant.status).toBe('ACTIVE');

    const read = await server.gql(CONTACT, { id: publisherId }, operator);
    expect(read.errors).toBeUndefined();
    expect(read.data!['publisher'].contact.email).toBe('li.lei@contoso.cn');
    // the grant covers administrator data only: customer-service contacts stay closed
    expect(code(await server.gql(SUPPORT, { id: offerId }, operator))).toBe('FORBIDDEN');

    const [grant] = await grants();
    expect(grant).toMatchObject({
      id: grantId,
      status: 'ACTIVE',
      emergency: false,
      categories: ['ADMINISTRATOR'],
      reason: 'contact email bounces',
      ticket: 'INC-1',
    });
    expect(grant!['grantee']).toMatch(/^actor-/);
    expect(grant!['accesses']).toEqual([expect.objectContaining({ target: 'contact', category: 'ADMINISTRATOR' })]);
    await settled();
    const records = (await server.gql(RECORDS, { p: publisherId }, owner)).data!['privacyRequests'].edges.map(
      (e: { node: unknown }) => e.node,
    );
    expect(records).toContainEqual({ kind: 'VIEW', target: 'contact', accessGrantId: grantId, emergencyAccess: false });
  });

  it('revoked, the grant ends at once: the next read is refused, and the publisher sees who revoked it and why', async () => {
    const [grant] = await grants();
    const revoked = await server.gql(
      REVOKE,
      { input: { publisherId, grantId: grant!['id'], reason: 'INC-1 resolved' } },
      operator,
    );
    expect(revoked.errors).toBeUndefined();
    expect(revoked.data!['revokeAccessGrant'].grant).toEqual({ status: 'REVOKED', revokeReason: 'INC-1 resolved' });
    expect(code(await server.gql(CONTACT, { id: publisherId }, operator))).toBe('FORBIDDEN');
    const again = await server.gql(
      REVOKE,
      { input: { publisherId, grantId: grant!['id'], reason: 'twice' } },
      operator,
    );
    expect(again.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'grantId',
      rule: 'is already revoked',
    });
    expect((await grants())[0]).toMatchObject({
      status: 'REVOKED',
      revokeReason: 'INC-1 resolved',
      revokedBy: expect.stringMatching(/^actor-/),
    });
  });

  it('expired, the grant ends by itself: the same operator is refused again', async () => {
    const requested = await request({ endsAt: inMinutes(5) });
    expect(requested.errors).toBeUndefined();
    expect((await server.gql(CONTACT, { id: publisherId }, operator)).errors).toBeUndefined();
    world.advance(6 * 60_000);
    expect(code(await server.gql(CONTACT, { id: publisherId }, operator))).toBe('FORBIDDEN');
    expect((await grants())[0]).toMatchObject({ status: 'EXPIRED' });
  });

  it('a grant longer than ACCESS_GRANT_MAX_MINUTES is refused with the field and rule, and nothing is written', async () => {
    const head = await server.ledger.events.headPosition();
    const res = await request({ endsAt: inMinutes(8 * 60 + 1) });
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'endsAt',
      rule: 'must be at most 480 minutes after startsAt',
    });
    expect(await server.ledger.events.headPosition()).toBe(head);
  });

  it('a grant limited to one offer opens that offer only, and no other category', async () => {
    expect((await request({ offerId, categories: ['CUSTOMER'], endsAt: inMinutes(30) })).errors).toBeUndefined();
    const support = await server.gql(SUPPORT, { id: offerId }, operator);
    expect(support.errors).toBeUndefined();
    expect(support.data!['offer'].supportContacts).toEqual([{ qq: '12345678' }]);
    expect(code(await server.gql(SUPPORT, { id: otherOfferId }, operator))).toBe('FORBIDDEN');
    expect(code(await server.gql(CONTACT, { id: publisherId }, operator))).toBe('FORBIDDEN');
  });

  it('an emergency access is short, needs nothing more, and is flagged to the publisher and to auditors', async () => {
    const tooLong = await request({ emergency: true, endsAt: inMinutes(61) });
    expect(tooLong.errors?.[0]?.extensions).toMatchObject({
      field: 'endsAt',
      rule: 'must be at most 60 minutes after startsAt for an emergency access',
    });
    const emergency = await request({ emergency: true, endsAt: inMinutes(15) });
    expect(emergency.data!['requestAccessGrant'].grant).toMatchObject({ status: 'ACTIVE', emergency: true });
    expect((await server.gql(CONTACT, { id: publisherId }, operator)).errors).toBeUndefined();
    await settled();
    const records = (await server.gql(RECORDS, { p: publisherId }, owner)).data!['privacyRequests'].edges.map(
      (e: { node: unknown }) => e.node,
    );
    expect(records).toContainEqual(expect.objectContaining({ kind: 'VIEW', target: 'contact', emergencyAccess: true }));
    const trail = await server.gql(
      'query ($p: ID!) { auditTrail(first: 50, filter: { publisherId: $p, eventTypes: [AccessGrantRequested, AccessGrantUsed, AccessGrantRevoked] }) { edges { node { type changedFields } } } }',
      { p: publisherId },
      auditor,
    );
    expect(trail.errors).toBeUndefined();
    const types = trail.data!['auditTrail'].edges.map((e: { node: { type: string } }) => e.node.type);
    expect(types).toEqual(expect.arrayContaining(['AccessGrantRequested', 'AccessGrantUsed', 'AccessGrantRevoked']));
  });

  it("members of the publisher and auditors see its grants; another publisher's member and analysts are refused; only operators ask for one", async () => {
    expect((await grants(owner)).length).toBeGreaterThan(0);
    expect((await grants(auditor)).length).toBeGreaterThan(0);
    expect(code(await server.gql(GRANTS, { p: publisherId }, stranger))).toBe('FORBIDDEN');
    expect(code(await server.gql(GRANTS, { p: publisherId }, analyst))).toBe('FORBIDDEN');
    for (const as of [owner, auditor, analyst])
      expect(code(await request({ endsAt: inMinutes(10) }, as))).toBe('FORBIDDEN');
    // an auditor supervises: it reads the values without a grant of its own
    expect((await server.gql(CONTACT, { id: publisherId }, auditor)).errors).toBeUndefined();
  });
  it("histories and exports need a grant covering what they show: a publisher's history its administrator data, an offer's its customer data, an export every category", async () => {
    const other: TestPrincipal = { role: 'operator', oid: '6a000000-0000-4000-8000-0000000000a9' };
    const grantees = new Map<string, string>();
    const HISTORY = 'query ($kind: HistorySubjectKind!, $id: ID!) { history(kind: $kind, id: $id) { totalCount } }';
    const EXPORT = 'query ($p: ID!) { exportPersonalData(publisherId: $p) }';
    const EXPORT_HISTORY = 'query ($p: ID!) { exportHistory(publisherId: $p, format: JSONL) }';
    const history = (kind: string, id: string, as: TestPrincipal) => server.gql(HISTORY, { kind, id }, as);
    for (const res of [
      await history('PUBLISHER', publisherId, other),
      await server.gql(EXPORT, { p: publisherId }, other),
      await server.gql(EXPORT_HISTORY, { p: publisherId }, other),
    ]) {
      expect(code(res)).toBe('FORBIDDEN');
    }
    const first = await openAccessGrant(server, other, publisherId, {
      categories: ['ADMINISTRATOR'],
      now: world.clock.now(),
    });
    grantees.set('other', (await grants()).find((grant) => grant['id'] === first)!['grantee']);
    expect((await history('PUBLISHER', publisherId, other)).errors).toBeUndefined();
    expect(code(await history('OFFER', offerId, other))).toBe('FORBIDDEN');
    expect(code(await server.gql(EXPORT, { p: publisherId }, other))).toBe('FORBIDDEN');
    // a grant limited to one offer opens that offer's history, not another's
    await openAccessGrant(server, other, publisherId, { categories: ['CUSTOMER'], offerId, now: world.clock.now() });
    expect((await history('OFFER', offerId, other)).errors).toBeUndefined();
    expect(code(await history('OFFER', otherOfferId, other))).toBe('FORBIDDEN');
    expect(code(await server.gql(EXPORT_HISTORY, { p: publisherId }, other))).toBe('FORBIDDEN');
    await openAccessGrant(server, other, publisherId, { now: world.clock.now() });
    const exported = await server.gql(EXPORT, { p: publisherId }, other);
    expect(exported.errors).toBeUndefined();
    expect(exported.data!['exportPersonalData']).toContain('li.lei@contoso.cn');
    expect((await server.gql(EXPORT_HISTORY, { p: publisherId }, other)).errors).toBeUndefined();
    // each read is recorded against the grant that allowed it, category by category
    const mine = (await grants()).filter((grant) => grant['grantee'] === grantees.get('other'));
    const uses = mine.flatMap((grant) =>
      grant['accesses'].map((access: { target: string; category: string }) => `${access.target} ${access.category}`),
    );
    expect(uses.sort()).toEqual(
      [
        'publisher.history ADMINISTRATOR',
        'offer.history CUSTOMER',
        ...['personalData', 'history'].flatMap((target) =>
          ['ADMINISTRATOR', 'CUSTOMER', 'THIRD_PARTY'].map((c) => `${target} ${c}`),
        ),
      ].sort(),
    );
  });
});

describe('access grants that need a second operator (ACCESS_GRANT_APPROVAL=true)', () => {
  let world: Awaited<ReturnType<typeof serverWithClock>>;
  let publisherId: string;
  beforeAll(async () => {
    world = await serverWithClock({ ACCESS_GRANT_APPROVAL: 'true' });
    publisherId = (await world.server.gql(REGISTER, { input: aPublisher() }, owner)).data!['registerPublisher']
      .publisher.id;
  });
  afterAll(() => world.close());

  it('awaiting approval the grant opens nothing; its requester may not approve it; another operator does, and it opens', async () => {
    const { server } = world;
    const endsAt = new Date(world.clock.now().getTime() + 3_600_000).toISOString();
    const requested = await server.gql(
      REQUEST_GRANT,
      { input: { publisherId, categories: ['ADMINISTRATOR'], reason: 'bounce', ticket: 'INC-2', endsAt } },
      operator,
    );
    const grant = requested.data!['requestAccessGrant'].grant;
    expect(grant.status).toBe('AWAITING_APPROVAL');
    expect(code(await server.gql(CONTACT, { id: publisherId }, operator))).toBe('FORBIDDEN');

    const self = await server.gql(APPROVE, { input: { publisherId, grantId: grant.id } }, operator);
    expect(self.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'grantId',
      rule: 'must be approved by another operator than its requester',
    });
    expect(code(await server.gql(CONTACT, { id: publisherId }, operator))).toBe('FORBIDDEN');

    const approved = await server.gql(APPROVE, { input: { publisherId, grantId: grant.id } }, APPROVING_OPERATOR);
    expect(approved.data!['approveAccessGrant'].grant).toMatchObject({
      status: 'ACTIVE',
      approvedBy: expect.stringMatching(/^actor-/),
    });
    expect((await server.gql(CONTACT, { id: publisherId }, operator)).errors).toBeUndefined();
    // approval is for the grantee only: the approver itself holds nothing
    expect(code(await server.gql(CONTACT, { id: publisherId }, APPROVING_OPERATOR))).toBe('FORBIDDEN');
  });

  it('an emergency access needs no approval', async () => {
    const grantId = await openAccessGrant(world.server, operator, publisherId, {
      emergency: true,
      now: world.clock.now(),
      endsAt: new Date(world.clock.now().getTime() + 600_000).toISOString(),
    });
    expect(grantId).toMatch(/^[0-9a-f-]{36}$/);
    const [latest] = (await world.server.gql(GRANTS, { p: publisherId }, owner)).data!['accessGrants'].edges;
    expect(latest.node).toMatchObject({ id: grantId, emergency: true, status: 'ACTIVE', approvedBy: null });
  });
});
