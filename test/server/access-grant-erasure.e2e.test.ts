import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORGOTTEN_GRANTEE_REASON } from '../../src/events/access-grant/forgotten-grantees.js';
import {
  aPublisher,
  APPROVING_OPERATOR,
  openAccessGrant,
  startTestServer,
  tempDataDir,
  type GqlResponse,
  type TestPrincipal,
  type TestServer,
} from './harness.js';

/**
 * An operator who is also an account of some publisher is forgotten as an
 * actor when that account is erased (or its publisher closed): the grants
 * naming their old person reference end then, visibly, instead of reading
 * ACTIVE while nothing can use them (docs/privacy.md, Actors).
 */
const owner: TestPrincipal = { role: 'member', oid: '6b000000-0000-4000-8000-000000000001' };
const operator: TestPrincipal = { role: 'operator', oid: '6b000000-0000-4000-8000-0000000000a1' };

const CONTACT = 'query ($id: ID!) { publisher(id: $id) { contact { name } aadUsers { accountId } } }';
const GRANTS = `query ($p: ID!, $at: String) { accessGrants(publisherId: $p, minPosition: $at) { edges { node {
  id status revokedBy revokeReason } } } }`;
// no contact in the answer: an operator registering reads none without a grant
const REGISTER =
  'mutation ($input: RegisterPublisherInput!) { registerPublisher(input: $input) { version publisher { id } } }';
const CLOSE = 'mutation ($input: ClosePublisherAccountInput!) { closePublisherAccount(input: $input) { position } }';
const ERASE =
  'mutation ($input: ErasePersonalDataInput!) { erasePersonalData(input: $input) { erasedCount position } }';
const ADD = `mutation ($input: AddAadUserInput!) { addAadUser(input: $input) { version publisher { aadUsers { accountId objectId } } } }`;
const REMOVE = 'mutation ($input: RemoveAadUserInput!) { removeAadUser(input: $input) { version } }';

const code = (res: GqlResponse<unknown>) => res.errors?.[0]?.extensions?.['code'];
function ok<T>(res: GqlResponse<T>): T {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!;
}

describe('the grants of an operator forgotten by an erasure', () => {
  const data = tempDataDir('pl-grant-forget-');
  let server: TestServer;
  let p0: string;

  const register = async (as: TestPrincipal) => {
    const registered = ok(await server.gql(REGISTER, { input: aPublisher() }, as))['registerPublisher'];
    return { id: registered.publisher.id as string, version: registered.version as number };
  };
  const grantsOf = async (publisherId: string, position: string) =>
    ok(await server.gql(GRANTS, { p: publisherId, at: position }, owner))['accessGrants'].edges.map(
      (edge: { node: Record<string, unknown> }) => edge.node,
    ) as Record<string, unknown>[];
  const grantEventsSince = async (position: number) =>
    (await server.ledger.events.readAll({ fromPosition: position }))
      .filter((event) => event.streamId.startsWith('access-grants-') && event.type !== 'AccessGrantUsed')
      .map((event) => `${event.streamId}:${event.type}`);

  beforeAll(async () => {
    server = await startTestServer(data.dir, { ACCESS_GRANT_APPROVAL: 'true' });
    p0 = (await register(owner)).id;
  });
  afterAll(async () => {
    await server.close();
    data.remove();
  });

  it('closing a publisher the operator registered revokes its grant elsewhere, with the fixed reason; a new grant reads again', async () => {
    const grantId = await openAccessGrant(server, operator, p0, {
      endsAt: new Date(Date.now() + 4 * 3_600_000).toISOString(),
    });
    expect((await server.gql(CONTACT, { id: p0 }, operator)).errors).toBeUndefined();
    const p2 = await register(operator); // the operator is now an AAD account of p2

    const closed = ok(await server.gql(CLOSE, { input: { publisherId: p2.id } }, operator))['closePublisherAccount'];

    const [grant] = (await grantsOf(p0, closed.position)).filter((g) => g['id'] === grantId);
    expect(grant).toEqual({
      id: grantId,
      status: 'REVOKED',
      revokedBy: 'erasure',
      revokeReason: FORGOTTEN_GRANTEE_REASON,
    });
    const denied = await server.gql(CONTACT, { id: p0 }, operator);
    expect(code(denied)).toBe('FORBIDDEN');
    expect(JSON.stringify(denied.data ?? null)).not.toContain('Li Lei');

    const again = await openAccessGrant(server, operator, p0); // approved by another operator
    expect(again).not.toBe(grantId);
    expect(ok(await server.gql(CONTACT, { id: p0 }, operator))['publisher'].contact).toEqual({ name: 'Li Lei' });
  });

  it("erasing one AAD account of the operator's (no closure) revokes its open grants, awaiting approval included, once", async () => {
    const active = await openAccessGrant(server, operator, p0);
    const requested = await server.gql(
      'mutation ($input: RequestAccessGrantInput!) { requestAccessGrant(input: $input) { grant { id status } } }',
      {
        input: {
          publisherId: p0,
          categories: ['ADMINISTRATOR'],
          reason: 'a second incident',
          ticket: 'INC-2',
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      },
      operator,
    );
    const awaiting = ok(requested)['requestAccessGrant'].grant;
    expect(awaiting.status).toBe('AWAITING_APPROVAL');
    const p3 = await register(owner);
    const added = ok(
      await server.gql(
        ADD,
        {
          input: {
            id: p3.id,
            expectedVersion: p3.version,
            objectId: operator.oid,
            userPrincipalName: 'operator@contoso.cn',
            displayName: 'Operator Okonkwo',
          },
        },
        owner,
      ),
    )['addAadUser'];
    const accountId = added.publisher.aadUsers.find((u: { objectId: string }) => u.objectId === operator.oid).accountId;
    const removed = ok(
      await server.gql(REMOVE, { input: { id: p3.id, expectedVersion: added.version, objectId: operator.oid } }, owner),
    )['removeAadUser'];
    expect(removed.version).toBeGreaterThan(added.version);
    const before = await server.ledger.events.headPosition();

    const input = { publisherId: p3.id, target: 'AAD_ACCOUNT', accountId };
    const erased = ok(await server.gql(ERASE, { input }, owner))['erasePersonalData'];

    expect(erased.erasedCount).toBe(1);
    const grants = await grantsOf(p0, erased.position);
    for (const id of [active, awaiting.id]) {
      expect(grants.find((g) => g['id'] === id)).toMatchObject({
        status: 'REVOKED',
        revokeReason: FORGOTTEN_GRANTEE_REASON,
      });
    }
    // these two and the one reopened in the test before: one revocation each; then the note of the reference forgotten
    expect(await grantEventsSince(before)).toEqual([
      ...Array(3).fill(`access-grants-${p0}:AccessGrantRevoked`),
      `access-grants-${p3.id}:GranteesForgotten`,
    ]);
    expect(code(await server.gql(CONTACT, { id: p0 }, operator))).toBe('FORBIDDEN');

    // erased already: the retry forgets nobody and revokes nothing again
    const head = await server.ledger.events.headPosition();
    expect(ok(await server.gql(ERASE, { input }, owner))['erasePersonalData'].erasedCount).toBe(0);
    expect(await grantEventsSince(head)).toEqual([]);
  });

  it('a person with no open grant (an approver) is forgotten with no revocation, its reference only noted', async () => {
    // the approver has a person reference (it approved grants above) and holds no grant of its own
    const p4 = await register(APPROVING_OPERATOR);
    const before = await server.ledger.events.headPosition();
    ok(await server.gql(CLOSE, { input: { publisherId: p4.id } }, APPROVING_OPERATOR));
    expect(await server.ledger.events.headPosition()).toBeGreaterThan(before);
    expect(await grantEventsSince(before)).toEqual([`access-grants-${p4.id}:GranteesForgotten`]);
  });

  /**
   * A retry under the first attempt's idempotency key, after an erasure forgot
   * the operator: nothing links them to the old reference any more, so the
   * retry cannot be told from another operator's, and answering the first
   * grant would link them to it again. As for data erased since elsewhere,
   * the key is refused (BAD_USER_INPUT on idempotencyKey); a new key asks anew.
   */
  it('a grant request retried under its idempotency key after the operator was forgotten: BAD_USER_INPUT, not the old grant', async () => {
    const forgotten: TestPrincipal = { role: 'operator', oid: '6b000000-0000-4000-8000-0000000000a2' };
    const asking = (idempotencyKey: string) =>
      server.gql(
        'mutation ($input: RequestAccessGrantInput!) { requestAccessGrant(input: $input) { grant { id status } } }',
        {
          input: {
            publisherId: p0,
            categories: ['ADMINISTRATOR'],
            reason: 'bounce',
            ticket: 'INC-7',
            endsAt,
            idempotencyKey,
          },
        },
        forgotten,
      );
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const first = ok(await asking('grant-retry-0001'))['requestAccessGrant'].grant;
    expect(ok(await asking('grant-retry-0001'))['requestAccessGrant'].grant).toEqual(first);
    const p5 = await register(forgotten);
    const closed = ok(await server.gql(CLOSE, { input: { publisherId: p5.id } }, forgotten))['closePublisherAccount'];
    expect((await grantsOf(p0, closed.position)).find((g) => g['id'] === first.id)).toMatchObject({
      status: 'REVOKED',
      revokedBy: 'erasure',
    });
    const head = await server.ledger.events.headPosition();

    const retry = await asking('grant-retry-0001');

    expect(retry.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'idempotencyKey',
      rule: 'was already used with different input, or for data erased since',
    });
    expect(JSON.stringify(retry)).not.toContain(first.id);
    expect(await server.ledger.events.headPosition()).toBe(head);
    const anew = ok(await asking('grant-retry-0002'))['requestAccessGrant'].grant;
    expect(anew).toMatchObject({ status: 'AWAITING_APPROVAL' });
    expect(anew.id).not.toBe(first.id);
  });
});
