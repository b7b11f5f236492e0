import { describe, expect, it } from 'vitest';
import { aPublisher, openAccessGrant, REGISTER, suiteServer } from './harness.js';

const ADD = `mutation ($input: AddAadUserInput!) { addAadUser(input: $input) { version publisher { aadUsers { accountId objectId } } } }`;
const ERASE = `mutation ($input: ErasePersonalDataInput!) { erasePersonalData(input: $input) { subjects erasedCount position } }`;
const CLOSE = `mutation ($input: ClosePublisherAccountInput!) { closePublisherAccount(input: $input) { subjects erasedCount position } }`;
const READ = `query ($id: ID!, $minPosition: String) { publisher(id: $id, minPosition: $minPosition) {
  version registrationStatus contact { name telephone email erased } aadUsers { accountId displayName erased } } }`;
const AS_OF = `query ($id: ID!, $asOf: String) { publisher(id: $id, asOf: $asOf) { contact { name erased } } }`;
const HISTORY = `query ($id: ID!) { history(kind: PUBLISHER, id: $id, first: 10) { edges { node { eventType changes { field before after beforeErased afterErased } } } } }`;
const EXPORT = `query ($id: ID!) { exportPersonalData(publisherId: $id) }`;
const RECORDS = `query ($id: ID!, $minPosition: String) { privacyRequests(publisherId: $id, first: 20, minPosition: $minPosition) { edges { node { kind target } } } }`;

describe('erasure over GraphQL', () => {
  const server = suiteServer();

  async function register() {
    const res = await server().gql(REGISTER, { input: aPublisher() });
    const id: string = res.data!['registerPublisher'].publisher.id;
    const added = await server().gql(ADD, {
      input: {
        id,
        expectedVersion: 1,
        objectId: '11111111-2222-4333-8444-555555555555',
        userPrincipalName: 'li.lei@contoso.cn',
        displayName: 'Li Lei',
      },
    });
    // the registrant is the first account; the one added here is the last
    const accounts = added.data!['addAadUser'].publisher.aadUsers as Array<{ accountId: string }>;
    return {
      id,
      registeredAt: new Date().toISOString(),
      registrantId: accounts[0]!.accountId,
      accountId: accounts.at(-1)!.accountId,
    };
  }

  it('an erased contact reads as erased in the publisher, as of a past instant, in the history and in the export', async () => {
    const { id, registeredAt } = await register();
    const erased = await server().gql(ERASE, { input: { publisherId: id, target: 'CONTACT' } });
    expect(erased.errors).toBeUndefined();
    expect(erased.data!['erasePersonalData']).toMatchObject({ subjects: [`publisher/${id}/contact`], erasedCount: 1 });
    const read = await server().gql(READ, { id, minPosition: erased.data!['erasePersonalData'].position });
    expect(read.data!['publisher']).toMatchObject({
      registrationStatus: 'PENDING',
      contact: { name: null, telephone: null, email: null, erased: true },
      aadUsers: [{ erased: false }, { displayName: 'Li Lei', erased: false }],
    });
    const asOf = await server().gql(AS_OF, { id, asOf: registeredAt });
    expect(asOf.data!['publisher']).toEqual({ contact: { name: null, erased: true } });
    const history = await server().gql(HISTORY, { id });
    const first = history.data!['history'].edges[0].node;
    expect(first.changes).toContainEqual({
      field: 'contact.name',
      before: null,
      after: null,
      beforeErased: false,
      afterErased: true,
    });
    expect(history.data!['history'].edges.at(-1).node.eventType).toBe('PersonalDataErased');
    const exported = JSON.parse((await server().gql(EXPORT, { id })).data!['exportPersonalData']);
    expect(exported.contact).toEqual({
      name: { $erased: true },
      telephone: { $erased: true },
      email: { $erased: true },
      erased: true,
    });
    expect(exported.aadAccounts.at(-1)).toMatchObject({ displayName: 'Li Lei', hasAccess: true, erased: false });
  });

  it('closing an account erases everyone, records one ERASURE and refuses later changes with a clear error', async () => {
    const { id, accountId, registrantId } = await register();
    const created = await server().gql(
      `mutation ($input: CreateOfferInput!) { createOffer(input: $input) { offer { id } } }`,
      {
        input: { publisherId: id, name: 'Contoso VM', kind: 'VIRTUAL_MACHINE' },
      },
    );
    const offerId = created.data!['createOffer'].offer.id;
    const closed = await server().gql(CLOSE, { input: { publisherId: id } });
    expect(closed.data!['closePublisherAccount']).toMatchObject({
      erasedCount: 4,
      subjects: [
        `publisher/${id}/contact`,
        `publisher/${id}/aad/${registrantId}`,
        `publisher/${id}/aad/${accountId}`,
        `offer/${offerId}/support`,
      ],
    });
    const position = closed.data!['closePublisherAccount'].position;
    const operator = { role: 'operator' as const };
    // nobody is a member any more: an operator looks, under a grant (a closed publisher still takes one)
    await openAccessGrant(server(), operator, id);
    const offers = await server().gql(
      `query ($id: ID!, $p: String) { offers(publisherId: $id, first: 10, minPosition: $p) { totalCount } }`,
      { id, p: position },
      operator,
    );
    expect(offers.data!['offers']).toEqual({ totalCount: 0 });
    const read = await server().gql(READ, { id, minPosition: position }, operator);
    expect(read.data!['publisher']).toMatchObject({
      registrationStatus: 'CLOSED',
      contact: { erased: true },
      aadUsers: [
        { accountId: registrantId, displayName: null, erased: true },
        { accountId, displayName: null, erased: true },
      ],
    });
    const records = await server().gql(RECORDS, { id, minPosition: position }, operator);
    expect(records.data!['privacyRequests'].edges.map((e: { node: unknown }) => e.node)).toContainEqual({
      kind: 'ERASURE',
      target: 'publisher',
    });
    // its accounts are erased: nobody is a member any more
    expect((await server().gql(READ, { id })).errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const change = await server().gql(
      `mutation ($input: AddAadUserInput!) { addAadUser(input: $input) { version } }`,
      {
        input: {
          id,
          expectedVersion: read.data!['publisher'].version,
          objectId: '21111111-2222-4333-8444-555555555555',
          userPrincipalName: 'han@contoso.cn',
          displayName: 'Han',
        },
      },
      operator,
    );
    expect(change.errors?.[0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
      message: expect.stringMatching(/closed/),
    });
  });

  it('erasing again erases nothing and says so; an edit after an erasure reads in clear and the old values stay erased', async () => {
    const { id } = await register();
    const first = await server().gql(ERASE, { input: { publisherId: id, target: 'CONTACT' } });
    expect(first.data!['erasePersonalData']).toMatchObject({ erasedCount: 1 });
    const again = await server().gql(ERASE, { input: { publisherId: id, target: 'CONTACT' } });
    expect(again.data!['erasePersonalData']).toMatchObject({ subjects: [], erasedCount: 0 });
    const version = (await server().gql(READ, { id })).data!['publisher'].version;
    const UPDATE = `mutation ($input: UpdatePublisherContactInput!) { updatePublisherContact(input: $input) { position publisher { contact { name email erased } } } }`;
    const edited = await server().gql(UPDATE, {
      input: { id, expectedVersion: version, contact: { email: 'new@contoso.cn' } },
    });
    expect(edited.data!['updatePublisherContact'].publisher.contact).toEqual({
      name: null,
      email: 'new@contoso.cn',
      erased: false,
    });
    const read = await server().gql(READ, { id, minPosition: edited.data!['updatePublisherContact'].position });
    expect(read.data!['publisher'].contact).toEqual({
      name: null,
      telephone: null,
      email: 'new@contoso.cn',
      erased: false,
    });
    const history = (await server().gql(HISTORY, { id })).data!['history'].edges.map(
      (e: { node: { changes: unknown[] } }) => e.node,
    );
    expect(history[0].changes).toContainEqual({
      field: 'contact.email',
      before: null,
      after: null,
      beforeErased: false,
      afterErased: true,
    });
    expect(history.at(-1).changes).toContainEqual({
      field: 'contact.email',
      before: null,
      after: 'new@contoso.cn',
      beforeErased: true,
      afterErased: false,
    });
    const exported = JSON.parse((await server().gql(EXPORT, { id })).data!['exportPersonalData']);
    expect(exported.contact).toEqual({
      name: { $erased: true },
      telephone: { $erased: true },
      email: 'new@contoso.cn',
      erased: false,
    });
    // the new value is a new subject's: erasing erases it, and one erasure more is recorded
    const third = await server().gql(ERASE, { input: { publisherId: id, target: 'CONTACT' } });
    expect(third.data!['erasePersonalData']).toMatchObject({ erasedCount: 1 });
    expect(BigInt(third.data!['erasePersonalData'].position)).toBeGreaterThan(
      BigInt(first.data!['erasePersonalData'].position),
    );
    const erased = await server().gql(READ, { id, minPosition: third.data!['erasePersonalData'].position });
    expect(erased.data!['publisher'].contact).toEqual({ name: null, telephone: null, email: null, erased: true });
  });

  it('the export of a closed publisher shows none of its accounts with access', async () => {
    const { id } = await register();
    const closed = await server().gql(CLOSE, { input: { publisherId: id } });
    expect(closed.errors).toBeUndefined();
    // its members are gone: an operator exports it, under a grant
    await openAccessGrant(server(), { role: 'operator' }, id);
    const exported = JSON.parse((await server().gql(EXPORT, { id }, { role: 'operator' })).data!['exportPersonalData']);
    expect(exported.aadAccounts).toHaveLength(2);
    for (const account of exported.aadAccounts) expect(account).toMatchObject({ hasAccess: false, erased: true });
    const repeated = await server().gql(CLOSE, { input: { publisherId: id } }, { role: 'operator' });
    expect(repeated.data!['closePublisherAccount']).toMatchObject({ subjects: [], erasedCount: 0 });
  });

  it('erasing an account that still has access is refused; an unknown publisher is NOT_FOUND', async () => {
    const { id, accountId } = await register();
    const refused = await server().gql(ERASE, { input: { publisherId: id, target: 'AAD_ACCOUNT', accountId } });
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const missing = await server().gql(
      CLOSE,
      { input: { publisherId: '0190f5a2-7b3c-7d4e-8f60-999999999999' } },
      { role: 'operator' },
    );
    expect(missing.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
  });
});
