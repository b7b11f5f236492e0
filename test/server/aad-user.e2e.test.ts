import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  aPublisher,
  DEFAULT_PRINCIPAL,
  PUBLISHER,
  REGISTER,
  startTestServer,
  tempDataDir,
  type TestServer,
} from './harness.js';

const ADD = `mutation ($input: AddAadUserInput!) { addAadUser(input: $input) { version position publisher { aadUsers { objectId userPrincipalName displayName addedAt addedBy } } } }`;
const REMOVE = `mutation ($input: RemoveAadUserInput!) { removeAadUser(input: $input) { version position publisher { aadUsers { objectId } } } }`;
const USERS = `query ($id: ID!, $minPosition: String) { publisher(id: $id, minPosition: $minPosition) { version aadUsers { objectId userPrincipalName displayName } } }`;
const oid1 = '11111111-2222-4333-8444-555555555555';
const oid2 = '66666666-7777-4888-9999-000000000000';
/** the default principal, with the names its token carries */
const registrant = { ...DEFAULT_PRINCIPAL, userPrincipalName: 'Registrant@Contoso.cn', displayName: 'Registrant' };

describe('AAD user accounts over GraphQL', () => {
  let data: ReturnType<typeof tempDataDir>;
  let server: TestServer;
  let id: string;
  beforeEach(async () => {
    data = tempDataDir();
    server = await startTestServer(data.dir);
    const res = await server.gql(REGISTER, { input: aPublisher() }, registrant);
    id = res.data!['registerPublisher'].publisher.id;
  });
  afterEach(async () => {
    await server.close();
    data.remove();
  });

  const add = (objectId: string, expectedVersion: number, upn = 'li.lei@contoso.partner.onmschina.cn') =>
    server.gql(ADD, { input: { id, expectedVersion, objectId, userPrincipalName: upn, displayName: 'Li Lei' } });

  it('added accounts are listed in order with who added them and when', async () => {
    await add(oid1, 1);
    const res = await add(oid2, 2, ' Han.Meimei@Contoso.partner.onmschina.cn ');
    expect(res.errors).toBeUndefined();
    const { position } = res.data!['addAadUser'];
    const read = await server.gql(USERS, { id, minPosition: position });
    expect(read.data!['publisher']).toEqual({
      version: 3,
      aadUsers: [
        { objectId: DEFAULT_PRINCIPAL.oid, userPrincipalName: 'registrant@contoso.cn', displayName: 'Registrant' },
        { objectId: oid1, userPrincipalName: 'li.lei@contoso.partner.onmschina.cn', displayName: 'Li Lei' },
        { objectId: oid2, userPrincipalName: 'han.meimei@contoso.partner.onmschina.cn', displayName: 'Li Lei' },
      ],
    });
    // by the adder's account at the publisher, never their object id
    const adder = await server.ledger.services.membership.accountOf(DEFAULT_PRINCIPAL.oid!, id);
    expect(adder).toEqual(expect.any(String));
    expect(res.data!['addAadUser'].publisher.aadUsers[2]).toMatchObject({ addedBy: adder });
  });

  it('the account that registers a publisher is its first account', async () => {
    const read = await server.gql(USERS, { id });
    expect(read.data!['publisher']).toEqual({
      version: 1,
      aadUsers: [
        { objectId: DEFAULT_PRINCIPAL.oid, userPrincipalName: 'registrant@contoso.cn', displayName: 'Registrant' },
      ],
    });
  });

  it('removing an account takes it off the list at once; removing the last one is refused', async () => {
    await add(oid1, 1);
    const removed = await server.gql(
      REMOVE,
      { input: { id, expectedVersion: 2, objectId: DEFAULT_PRINCIPAL.oid } },
      registrant,
    );
    expect(removed.data!['removeAadUser'].publisher.aadUsers).toEqual([{ objectId: oid1 }]);
    const last = await server.gql(REMOVE, { input: { id, expectedVersion: 3, objectId: oid1 } }, { role: 'operator' });
    expect(last.errors?.[0]).toMatchObject({
      message: 'the last AAD user of a publisher cannot be removed',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('an object id that is not a GUID, or a UPN that is not email-shaped, is BAD_USER_INPUT naming the field', async () => {
    const badOid = await server.gql(ADD, {
      input: { id, expectedVersion: 1, objectId: 'li.lei', userPrincipalName: 'a@b.cn', displayName: 'x' },
    });
    expect(badOid.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'objectId' });
    const badUpn = await server.gql(ADD, {
      input: { id, expectedVersion: 1, objectId: oid1, userPrincipalName: 'li lei', displayName: 'x' },
    });
    expect(badUpn.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'userPrincipalName' });
  });

  it('the same account twice is refused', async () => {
    await add(oid1, 1);
    const again = await add(oid1, 2);
    expect(again.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });

  it('object ids, names and UPNs are stored encrypted: the files hold none of them in clear', async () => {
    const res = await add(oid1, 1);
    await server.ledger.runner.waitFor(Number(res.data!['addAadUser'].position), 5_000);
    const bytes = fs
      .readdirSync(data.dir)
      .map((file) => fs.readFileSync(path.join(data.dir, file)))
      .reduce((all, b) => Buffer.concat([all, b]), Buffer.alloc(0));
    for (const value of [oid1, 'li.lei@contoso.partner.onmschina.cn']) expect(bytes.includes(value), value).toBe(false);
    const read = await server.gql(PUBLISHER, { id });
    expect(read.errors).toBeUndefined();
  });
});
