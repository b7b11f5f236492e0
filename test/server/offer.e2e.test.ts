import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aPublisher, REGISTER, startTestServer, tempDataDir, type TestServer } from './harness.js';

const FIELDS = `version position offer { id name kind status version publishedAt supportContacts { name telephone email qq wechat weibo } }`;
const CREATE = `mutation ($input: CreateOfferInput!) { createOffer(input: $input) { ${FIELDS} } }`;
const SUPPORT = `mutation ($input: UpdateOfferCustomerServiceInput!) { updateOfferCustomerService(input: $input) { ${FIELDS} } }`;
const PUBLISH = `mutation ($input: OfferChangeInput!) { publishOffer(input: $input) { ${FIELDS} } }`;
const DELETE = `mutation ($input: OfferChangeInput!) { deleteOffer(input: $input) { ${FIELDS} } }`;
const OFFER = `query ($id: ID!, $p: String) { offer(id: $id, minPosition: $p) { id status supportContacts { qq wechat telephone } } }`;
const OFFERS = `query ($publisherId: ID!, $status: OfferStatus, $kind: OfferKind, $first: Int, $after: String, $p: String) {
  offers(publisherId: $publisherId, status: $status, kind: $kind, first: $first, after: $after, minPosition: $p) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { name status kind } }
  }
}`;
const APPROVE = `mutation ($input: ReviewPublisherInput!) { approvePublisher(input: $input) { position } }`;
const contacts = [{ name: 'Support Desk', telephone: '400 810 8888', qq: '12345678' }, { wechat: 'contoso_help' }];

describe('offers over GraphQL', () => {
  let data: ReturnType<typeof tempDataDir>;
  let server: TestServer;
  let publisherId: string;
  beforeEach(async () => {
    data = tempDataDir();
    server = await startTestServer(data.dir);
    const res = await server.gql(REGISTER, { input: aPublisher() });
    publisherId = res.data!['registerPublisher'].publisher.id;
  });
  afterEach(async () => {
    await server.close();
    data.remove();
  });

  async function create(name = 'Contoso VM', kind = 'VIRTUAL_MACHINE') {
    const res = await server.gql(CREATE, { input: { publisherId, name, kind } });
    expect(res.errors).toBeUndefined();
    return res.data!['createOffer'];
  }
  const approve = () => server.gql(APPROVE, { input: { id: publisherId, expectedVersion: 1 } }, { role: 'operator' });

  it('an offer is created as a draft, gets support contacts, and is published once its publisher is approved', async () => {
    const { offer } = await create();
    expect(offer).toMatchObject({ status: 'DRAFT', version: 1, supportContacts: [] });
    const support = await server.gql(SUPPORT, {
      input: { id: offer.id, expectedVersion: 1, supportContacts: contacts },
    });
    expect(support.data!['updateOfferCustomerService'].offer.supportContacts[0]).toMatchObject({
      telephone: '+864008108888',
      qq: '12345678',
    });
    const early = await server.gql(PUBLISH, { input: { id: offer.id, expectedVersion: 2 } });
    expect(early.errors?.[0]).toMatchObject({
      message: 'the publisher must be approved before publishing',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    await approve();
    const published = await server.gql(PUBLISH, { input: { id: offer.id, expectedVersion: 2 } });
    expect(published.errors).toBeUndefined();
    const read = await server.gql(OFFER, { id: offer.id, p: published.data!['publishOffer'].position });
    expect(read.data!['offer']).toMatchObject({
      status: 'PUBLISHED',
      supportContacts: [{ qq: '12345678' }, { wechat: 'contoso_help' }],
    });
  });

  it('publishing without a support contact is refused', async () => {
    await approve();
    const { offer } = await create();
    const res = await server.gql(PUBLISH, { input: { id: offer.id, expectedVersion: 1 } });
    expect(res.errors?.[0]?.message).toBe('an offer needs at least one customer-service contact to be published');
  });

  it.each([
    [{ qq: '01234567' }, 'supportContacts[0].qq'],
    [{ wechat: '8contoso' }, 'supportContacts[0].wechat'],
    [{ name: 'Only A Name' }, 'supportContacts[0]'],
  ])('an invalid support contact %j is BAD_USER_INPUT naming %s', async (contact, field) => {
    const { offer } = await create();
    const res = await server.gql(SUPPORT, { input: { id: offer.id, expectedVersion: 1, supportContacts: [contact] } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('a deleted offer disappears from queries and lists, with its support details', async () => {
    const { offer } = await create();
    await server.gql(SUPPORT, { input: { id: offer.id, expectedVersion: 1, supportContacts: contacts } });
    const deleted = await server.gql(DELETE, { input: { id: offer.id, expectedVersion: 2 } });
    expect(deleted.data!['deleteOffer']).toMatchObject({ offer: null, version: 3 });
    const p = deleted.data!['deleteOffer'].position;
    expect((await server.gql(OFFER, { id: offer.id, p })).errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    const list = await server.gql(OFFERS, { publisherId, p });
    expect(list.data!['offers'].totalCount).toBe(0);
    const again = await server.gql(DELETE, { input: { id: offer.id, expectedVersion: 3 } });
    expect(again.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
  });

  it("a publisher's offers are listed newest first, filtered by status and kind, page by page", async () => {
    await create('First', 'VIRTUAL_MACHINE');
    await create('Second', 'SOLUTION_TEMPLATE');
    const last = await create('Third', 'VIRTUAL_MACHINE');
    const p = last.position;
    const all = await server.gql(OFFERS, { publisherId, p });
    expect(all.data!['offers'].edges.map((e: any) => e.node.name)).toEqual(['Third', 'Second', 'First']);
    const vms = await server.gql(OFFERS, { publisherId, kind: 'VIRTUAL_MACHINE', status: 'DRAFT' });
    expect(vms.data!['offers']).toMatchObject({
      totalCount: 2,
      edges: [{ node: { name: 'Third' } }, { node: { name: 'First' } }],
    });
    const page1 = await server.gql(OFFERS, { publisherId, first: 2 });
    const page2 = await server.gql(OFFERS, { publisherId, first: 2, after: page1.data!['offers'].pageInfo.endCursor });
    expect(page2.data!['offers'].edges.map((e: any) => e.node.name)).toEqual(['First']);
    // every page counts the whole list, whether or not it holds all of it
    expect([all, page1, page2].map((res) => res.data!['offers'].totalCount)).toEqual([3, 3, 3]);
  });

  it('creating an offer for an unknown publisher is FORBIDDEN, like for any publisher one is not a member of', async () => {
    const res = await server.gql(CREATE, {
      input: { publisherId: '0190f5a2-7b3c-7d4e-8f60-000000000000', name: 'x', kind: 'VIRTUAL_MACHINE' },
    });
    expect(res.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });

  it('support contacts are stored encrypted: no file holds them in clear', async () => {
    const { offer } = await create();
    const res = await server.gql(SUPPORT, { input: { id: offer.id, expectedVersion: 1, supportContacts: contacts } });
    await server.ledger.runner.waitFor(Number(res.data!['updateOfferCustomerService'].position), 5_000);
    const bytes = Buffer.concat(fs.readdirSync(data.dir).map((f) => fs.readFileSync(path.join(data.dir, f))));
    for (const value of ['12345678', 'contoso_help', '+864008108888', 'Support Desk'])
      expect(bytes.includes(value), value).toBe(false);
  });
});
