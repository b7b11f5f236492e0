import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  aPublisher,
  DEFAULT_PRINCIPAL,
  REGISTER,
  startTestServer,
  tempDataDir,
  UPDATE,
  type TestServer,
} from './harness.js';

const LIST = `query ($publisherId: ID!, $first: Int, $after: String, $minPosition: String) {
  privacyRequests(publisherId: $publisherId, first: $first, after: $after, minPosition: $minPosition) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id kind target requestedBy requestedAt outcome } }
  }
}`;
const DELETE = `mutation ($id: ID!) { deletePrivacyRequestRecord(id: $id) { id position } }`;
const ADD = `mutation ($input: AddAadUserInput!) { addAadUser(input: $input) { position } }`;

describe('privacy request records over GraphQL', () => {
  let data: ReturnType<typeof tempDataDir>;
  let server: TestServer;
  let publisherId: string;
  let position: string;
  beforeEach(async () => {
    data = tempDataDir();
    server = await startTestServer(data.dir);
    const created = await server.gql(REGISTER, { input: aPublisher() });
    publisherId = created.data!['registerPublisher'].publisher.id;
    await server.gql(UPDATE, { input: { id: publisherId, expectedVersion: 1, contact: { name: 'Han Meimei' } } });
    const added = await server.gql(ADD, {
      input: {
        id: publisherId,
        expectedVersion: 2,
        objectId: '11111111-2222-4333-8444-555555555555',
        userPrincipalName: 'a@contoso.cn',
        displayName: 'A',
      },
    });
    position = added.data!['addAadUser'].position;
  });
  afterEach(async () => {
    await server.close();
    data.remove();
  });

  it('every edit of personal data is recorded by the operation itself, newest first', async () => {
    const res = await server.gql(LIST, { publisherId, minPosition: position });
    expect(res.errors).toBeUndefined();
    const list = res.data!['privacyRequests'];
    expect(list.totalCount).toBe(2);
    expect(list.edges.map((e: any) => [e.node.kind, e.node.target])).toEqual([
      ['EDIT', 'aadUsers'],
      ['EDIT', 'contact'],
    ]);
    // who asked, by their account at the publisher (never their object id)
    const requester = await server.ledger.services.membership.accountOf(DEFAULT_PRINCIPAL.oid!, publisherId);
    expect(requester).toEqual(expect.any(String));
    expect(list.edges[0].node).toMatchObject({ requestedBy: requester, outcome: 'COMPLETED' });
  });

  /** Waits until every recorded view is in the log and projected; returns the kinds and targets, newest first. */
  const records = async () => {
    await server.ledger.services.readRecorder.drain();
    const head = String(await server.ledger.events.headPosition());
    const res = await server.gql(LIST, { publisherId, minPosition: head });
    return res.data!['privacyRequests'].edges.map((e: any) => `${e.node.kind} ${e.node.target}`);
  };

  it('a query that shows personal data is recorded as a VIEW of it, once per reader and minute', async () => {
    const query = `query ($id: ID!) { publisher(id: $id) { contact { email } } offers(publisherId: $id) { totalCount } }`;
    expect((await server.gql(query, { id: publisherId })).errors).toBeUndefined();
    expect((await server.gql(query, { id: publisherId })).errors).toBeUndefined();
    expect(await records()).toEqual(['VIEW contact', 'EDIT aadUsers', 'EDIT contact']);
  });

  it('a query without personal fields, and the payload of a change, record no view', async () => {
    await server.gql(`query ($id: ID!) { publisher(id: $id) { companyName registrationStatus } }`, { id: publisherId });
    await server.gql(UPDATE, { input: { id: publisherId, expectedVersion: 3, contact: { name: 'Li Lei' } } });
    expect(await records()).toEqual(['EDIT contact', 'EDIT aadUsers', 'EDIT contact']);
  });

  it('pages through the records with cursors', async () => {
    const first = await server.gql(LIST, { publisherId, first: 1, minPosition: position });
    const page = first.data!['privacyRequests'];
    expect(page.edges).toHaveLength(1);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const second = await server.gql(LIST, { publisherId, first: 1, after: page.pageInfo.endCursor });
    expect(second.data!['privacyRequests'].edges.map((e: any) => e.node.target)).toEqual(['contact']);
    expect(second.data!['privacyRequests'].pageInfo.hasNextPage).toBe(false);
  });

  it('a publisher deletes one record; deleting it again is NOT_FOUND', async () => {
    const list = await server.gql(LIST, { publisherId, minPosition: position });
    const recordId = list.data!['privacyRequests'].edges[1].node.id;
    const deleted = await server.gql(DELETE, { id: recordId });
    expect(deleted.errors).toBeUndefined();
    const after = await server.gql(LIST, {
      publisherId,
      minPosition: deleted.data!['deletePrivacyRequestRecord'].position,
    });
    expect(after.data!['privacyRequests'].edges.map((e: any) => e.node.target)).toEqual(['aadUsers']);
    const again = await server.gql(DELETE, { id: recordId });
    expect(again.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
  });

  it('a deletion retried with its idempotency key answers as the first did; the same key for another record is BAD_USER_INPUT', async () => {
    const list = await server.gql(LIST, { publisherId, minPosition: position });
    const [newest, oldest] = list.data!['privacyRequests'].edges.map((e: any) => e.node.id);
    const DELETE_ONCE = `mutation ($id: ID!, $key: String) { deletePrivacyRequestRecord(id: $id, idempotencyKey: $key) { id position } }`;
    const first = await server.gql(DELETE_ONCE, { id: oldest, key: 'delete-0001' });
    expect(first.errors).toBeUndefined();
    await server.gql(LIST, { publisherId, minPosition: first.data!['deletePrivacyRequestRecord'].position });
    const retry = await server.gql(DELETE_ONCE, { id: oldest, key: 'delete-0001' });
    expect(retry.data!['deletePrivacyRequestRecord']).toEqual(first.data!['deletePrivacyRequestRecord']);
    const other = await server.gql(DELETE_ONCE, { id: newest, key: 'delete-0001' });
    expect(other.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(await records()).toEqual(['EDIT aadUsers']);
  });

  it('a page size out of range is BAD_USER_INPUT', async () => {
    const res = await server.gql(LIST, { publisherId, first: 1000 });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });
});
