import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publisherStream } from '../../src/events/publisher/publisher.events.js';
import { aadAccountSubject } from '../../src/privacy/data-subjects.js';
import {
  aPublisher,
  REGISTER,
  startTestServer,
  tempDataDir,
  type TestPrincipal,
  type TestServer,
} from '../server/harness.js';

const owner: TestPrincipal = {
  role: 'member',
  oid: 'a11ce000-0000-4000-8000-000000000001',
  userPrincipalName: 'li.lei@contoso.cn',
  displayName: 'Li Lei',
};
const colleague: TestPrincipal = { role: 'member', oid: 'b0b00000-0000-4000-8000-000000000002' };
const ADD = `mutation ($input: AddAadUserInput!) { addAadUser(input: $input) { version position } }`;
const REMOVE = `mutation ($input: RemoveAadUserInput!) { removeAadUser(input: $input) { version position } }`;
const READ = `query ($id: ID!) { publisher(id: $id) { id contact { email } } }`;
const ME = `{ me { id kind roles userPrincipalName displayName publishers { id companyName } } }`;

describe('publisher membership', () => {
  let data: ReturnType<typeof tempDataDir>;
  let server: TestServer;
  let publisherId: string;
  beforeEach(async () => {
    data = tempDataDir('pl-member-');
    server = await startTestServer(data.dir);
    const res = await server.gql(REGISTER, { input: aPublisher() }, owner);
    publisherId = res.data!['registerPublisher'].publisher.id;
    const added = await server.gql(
      ADD,
      {
        input: {
          id: publisherId,
          expectedVersion: 1,
          objectId: colleague.oid,
          userPrincipalName: 'han@contoso.cn',
          displayName: 'Han',
        },
      },
      owner,
    );
    expect(added.errors).toBeUndefined();
  });
  afterEach(async () => {
    await server.close();
    data.remove();
  });

  it("removing an account revokes that account's access on its very next request", async () => {
    expect((await server.gql(READ, { id: publisherId }, colleague)).data!['publisher'].id).toBe(publisherId);
    const removed = await server.gql(
      REMOVE,
      { input: { id: publisherId, expectedVersion: 2, objectId: colleague.oid } },
      owner,
    );
    expect(removed.errors).toBeUndefined();
    // No wait for the read models: access is checked against the publisher's stream.
    const next = await server.gql(READ, { id: publisherId }, colleague);
    expect(next.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(next.data?.['publisher'] ?? null).toBeNull();
    const edit = await server.gql(
      ADD,
      {
        input: {
          id: publisherId,
          expectedVersion: 3,
          objectId: colleague.oid,
          userPrincipalName: 'han@contoso.cn',
          displayName: 'Han',
        },
      },
      colleague,
    );
    expect(edit.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect((await server.gql(READ, { id: publisherId }, owner)).errors).toBeUndefined();
  });

  it('me names the principal and the publishers it belongs to, and forgets a publisher once the account is removed', async () => {
    const before = await server.gql(ME, {}, owner);
    await server.ledger.runner.waitFor(await server.ledger.events.headPosition(), 5_000);
    const me = await server.gql(ME, {}, owner);
    expect(before.errors).toBeUndefined();
    expect(me.data!['me']).toEqual({
      id: owner.oid,
      kind: 'USER',
      roles: [],
      userPrincipalName: 'li.lei@contoso.cn',
      displayName: 'Li Lei',
      publishers: [{ id: publisherId, companyName: 'Contoso China' }],
    });
    expect((await server.gql(ME, {}, colleague)).data!['me'].publishers).toEqual([
      { id: publisherId, companyName: 'Contoso China' },
    ]);
    await server.gql(REMOVE, { input: { id: publisherId, expectedVersion: 2, objectId: colleague.oid } }, owner);
    expect((await server.gql(ME, {}, colleague)).data!['me'].publishers).toEqual([]);
    expect((await server.gql(ME, {}, { role: 'auditor' })).data!['me']).toMatchObject({
      roles: ['auditor'],
      publishers: [],
    });
  });

  it('every event records who made it, whether a user or a service, and the role that allowed it', async () => {
    await server.gql(
      `mutation ($input: ReviewPublisherInput!) { approvePublisher(input: $input) { version } }`,
      { input: { id: publisherId, expectedVersion: 2 } },
      { role: 'operator', oid: '0be00000-0000-4000-8000-0000000000ee', kind: 'service' },
    );
    const events = await server.ledger.events.readStream(publisherStream(publisherId));
    const actors = events.map((event) => [event.type, event.metadata.actor]);
    // a member by its account at the publisher (the registrant by the account it registers with), its object id sealed
    // under the account's key; a service as itself
    const registered = events[0]!.data as { firstUser: { accountId: string } };
    const account = registered.firstUser.accountId;
    const sealed = { $pd: 1, s: aadAccountSubject(publisherId, account), k: expect.any(String), c: expect.any(String) };
    expect(actors).toEqual([
      ['PublisherRegistered', { id: account, kind: 'user', role: 'member', publisherId, objectId: sealed }],
      ['AadUserAdded', { id: account, kind: 'user', role: 'member', publisherId, objectId: sealed }],
      ['PublisherApproved', { id: '0be00000-0000-4000-8000-0000000000ee', kind: 'service', role: 'operator' }],
    ]);
    expect(JSON.stringify(events)).not.toContain(owner.oid);
  });

  it('object ids are kept out of the read models in clear: the membership index holds only their keyed hashes', async () => {
    await server.ledger.runner.waitFor(await server.ledger.events.headPosition(), 5_000);
    const page = await server.ledger.reads.find('aad_memberships', {});
    expect(page.items).toHaveLength(2);
    expect(JSON.stringify(page.items)).not.toContain(owner.oid);
    expect(JSON.stringify(page.items)).not.toContain(colleague.oid);
  });

  it("closing one publisher of a person who is also an account of another leaves the other in their me, and their changes there named (found by the model test's soak)", async () => {
    const second = await server.gql(REGISTER, { input: aPublisher() }, owner);
    const secondId = second.data!['registerPublisher'].publisher.id;
    const closed = await server.gql(
      `mutation ($input: ClosePublisherAccountInput!) { closePublisherAccount(input: $input) { position } }`,
      { input: { publisherId } },
      owner,
    );
    expect(closed.errors).toBeUndefined();
    await server.ledger.runner.waitFor(await server.ledger.events.headPosition(), 20_000);

    const me = await server.gql(ME, {}, owner);
    expect(me.data!['me'].publishers.map((p: { id: string }) => p.id)).toEqual([secondId]);
    const trail = await server.gql(
      `query ($filter: AuditTrailFilter) { auditTrail(filter: $filter, first: 10) { edges { node { type actor { objectId erased } } } } }`,
      { filter: { publisherId: secondId } },
      { role: 'auditor' },
    );
    const actors = trail.data!['auditTrail'].edges.map((e: { node: { actor: unknown } }) => e.node.actor);
    expect(actors.length).toBeGreaterThan(0);
    expect(actors).toEqual(actors.map(() => ({ objectId: owner.oid, erased: false })));
  });
});
