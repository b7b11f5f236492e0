import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aPublisher, REGISTER, startTestServer, tempDataDir, type GqlResponse, type TestServer } from './harness.js';

const m = (name: string, input: string, payload = 'version') =>
  `mutation ($input: ${input}!) { ${name}(input: $input) { ${payload} } }`;
const ADD = m('addAadUser', 'AddAadUserInput');
const REMOVE = m('removeAadUser', 'RemoveAadUserInput');
const APPROVE = m('approvePublisher', 'ReviewPublisherInput');
const REJECT = m('rejectPublisher', 'ReviewPublisherInput');
const CREATE = m('createOffer', 'CreateOfferInput', 'version offer { id }');
const SUPPORT = m('updateOfferCustomerService', 'UpdateOfferCustomerServiceInput');
const PUBLISH = m('publishOffer', 'OfferChangeInput');
const ERASE = m('erasePersonalData', 'ErasePersonalDataInput', 'position');
const CLOSE = m('closePublisherAccount', 'ClosePublisherAccountInput', 'position');
const ACCOUNTS = 'query ($id: ID!) { publisher(id: $id) { aadUsers { accountId } } }';
const operator = { role: 'operator' } as const;
const support = [{ name: 'Support Desk', wechat: 'contoso_cs' }];

/** The one error of a refused request, with everything a client can act on. */
function refusal(res: GqlResponse<unknown>) {
  expect(res.errors).toHaveLength(1);
  return res.errors![0]!.extensions;
}

describe('every BAD_USER_INPUT names the field and the rule', () => {
  let data: ReturnType<typeof tempDataDir>;
  let server: TestServer;
  const registered = async () => {
    const res = await server.gql<any>(REGISTER, { input: aPublisher() });
    return res.data.registerPublisher.publisher.id as string;
  };
  const offerOf = async (publisherId: string) =>
    (await server.gql<any>(CREATE, { input: { publisherId, name: 'Cloud VM', kind: 'VIRTUAL_MACHINE' } })).data
      .createOffer.offer.id as string;

  beforeAll(async () => {
    data = tempDataDir('pl-errors-');
    server = await startTestServer(data.dir);
  });
  afterAll(async () => {
    await server.close();
    data.remove();
  });

  it('domain refusals: each names the input field it concerns and the rule', async () => {
    const id = await registered();
    const me = '0d5e7a11-0000-4000-8000-000000000001';
    expect(
      refusal(
        await server.gql(ADD, {
          input: { id, expectedVersion: 1, objectId: me, userPrincipalName: 'me@contoso.cn', displayName: 'Me' },
        }),
      ),
    ).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'objectId',
      rule: 'already has access to the publisher',
    });
    expect(refusal(await server.gql(REMOVE, { input: { id, expectedVersion: 1, objectId: me } }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'objectId',
      rule: 'is the last AAD user of the publisher, who cannot be removed',
    });
    expect(refusal(await server.gql(REGISTER, { input: { ...aPublisher(), id } }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'id',
      rule: 'is already registered',
    });

    const offer = await offerOf(id);
    expect(
      refusal(
        await server.gql(CREATE, { input: { id: offer, publisherId: id, name: 'Again', kind: 'VIRTUAL_MACHINE' } }),
      ),
    ).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'id',
      rule: 'is already used by an offer',
    });
    expect(refusal(await server.gql(PUBLISH, { input: { id: offer, expectedVersion: 1 } }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'id',
      rule: 'belongs to a publisher that is not approved: it must be approved before publishing',
    });
    await server.gql(APPROVE, { input: { id, expectedVersion: 1 } }, operator);
    expect(refusal(await server.gql(PUBLISH, { input: { id: offer, expectedVersion: 1 } }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'supportContacts',
      rule: 'must have at least one contact before publishing',
    });
    await server.gql(SUPPORT, { input: { id: offer, expectedVersion: 1, supportContacts: support } });
    await server.gql(PUBLISH, { input: { id: offer, expectedVersion: 2 } });
    expect(
      refusal(await server.gql(SUPPORT, { input: { id: offer, expectedVersion: 3, supportContacts: [] } })),
    ).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'supportContacts',
      rule: 'must keep at least one contact while the offer is published',
    });
    expect(refusal(await server.gql(REJECT, { input: { id, expectedVersion: 2, reason: 'late' } }, operator))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'id',
      rule: 'must be a pending registration to be rejected',
    });
    const accounts = await server.gql<any>(ACCOUNTS, { id });
    const accountId = accounts.data.publisher.aadUsers[0].accountId;
    expect(
      refusal(await server.gql(ERASE, { input: { publisherId: id, target: 'AAD_ACCOUNT', accountId } }, operator)),
    ).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'accountId',
      rule: 'still has access: remove it before erasing it',
    });

    await server.gql(CLOSE, { input: { publisherId: id } }, operator);
    // Its members lost access with the closure: an operator's review is what still reaches the closed account.
    const closed = { code: 'BAD_USER_INPUT', rule: 'is closed: the account accepts no further changes' };
    const version = (await server.gql<any>('query ($id: ID!) { publisher(id: $id) { version } }', { id }, operator))
      .data.publisher.version;
    expect(refusal(await server.gql(APPROVE, { input: { id, expectedVersion: version } }, operator))).toEqual({
      ...closed,
      field: 'id',
    });
  }, 60_000);

  it('every invalid field of a request is named in one answer', async () => {
    const res = await server.gql(REGISTER, {
      input: aPublisher({
        companyName: ' ',
        registrationCode: '91350100M000100Y44',
        contact: { name: 'Li Lei', telephone: '12', email: 'li.lei' },
      }),
    });
    expect(refusal(res)).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'companyName',
      rule: 'must not be empty',
      invalid: [
        { field: 'companyName', rule: 'must not be empty' },
        { field: 'registrationCode', rule: 'has a wrong check character (position 18)' },
        { field: 'contact.telephone', rule: 'must be a valid telephone number' },
        { field: 'contact.email', rule: 'must be an email address' },
      ],
    });
    const id = await registered();
    const offer = await offerOf(id);
    const contacts = await server.gql(SUPPORT, {
      input: { id: offer, expectedVersion: 1, supportContacts: [{ qq: '0123' }, { name: 'Desk' }, { wechat: '1bad' }] },
    });
    expect(refusal(contacts)?.['invalid']).toEqual([
      { field: 'supportContacts[0].qq', rule: 'must be 5 to 11 digits without a leading zero' },
      { field: 'supportContacts[1]', rule: 'must have at least one of telephone, email, qq, wechat, weibo' },
      {
        field: 'supportContacts[2].wechat',
        rule: 'must be 6 to 20 characters, starting with a letter, then letters, digits, _ or -',
      },
    ]);
  }, 60_000);

  it('variables of the wrong type: one error per invalid field, each with its field and rule, never the value', async () => {
    const res = await server.gql(REGISTER, {
      input: {
        companyName: 7,
        registrationCode: 'x',
        contact: { name: 'Li Lei', nickname: 'Lei', telephone: '138 0013 8000' },
      },
    });
    expect(res.errors?.map((e) => e.extensions)).toEqual([
      { code: 'BAD_USER_INPUT', field: 'input.companyName', rule: 'String cannot represent the value given' },
      { code: 'BAD_USER_INPUT', field: 'input.contact.email', rule: 'of required type "String!" was not provided' },
      { code: 'BAD_USER_INPUT', field: 'input.contact.nickname', rule: 'is not defined by type "ContactInput"' },
    ]);
    expect(JSON.stringify(res.errors)).not.toContain('Lei');
    const missing = await server.gql(REGISTER, {});
    expect(missing.errors?.map((e) => e.extensions)).toEqual([
      { code: 'BAD_USER_INPUT', field: 'input', rule: 'of required type "RegisterPublisherInput!" was not provided' },
    ]);
  });
});
