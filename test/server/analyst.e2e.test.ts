import { describe, expect, it } from 'vitest';
import { aPublisher, REGISTER, suiteServer } from './harness.js';

const ADD_AAD = `mutation ($input: AddAadUserInput!) { addAadUser(input: $input) { position } }`;

const ANALYTICS = `query ($from: String!, $to: String!, $p: String!) {
  offers(publisherId: "00000000-0000-7000-8000-000000000000", minPosition: $p) { totalCount }
  analytics { publishersByStatus { status count } offersByKindAndStatus { kind status count } changesPerDay(from: $from, to: $to) { day changes erasures } }
}`;

const analyst = { role: 'analyst' as const };

describe('what analysts read over GraphQL', () => {
  const server = suiteServer();

  it('counts registrations by status and changes on the day they happened', async () => {
    const registered = await server().gql(REGISTER, { input: aPublisher() });
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const res = await server().gql(
      ANALYTICS,
      { from: day(-1), to: day(1), p: registered.data!['registerPublisher'].position },
      analyst,
    );
    expect(res.data!['analytics']).toMatchObject({
      publishersByStatus: [
        { status: 'PENDING', count: 1 },
        { status: 'APPROVED', count: 0 },
        { status: 'REJECTED', count: 0 },
        { status: 'CLOSED', count: 0 },
      ],
    });
    const days = res.data!['analytics'].changesPerDay as Array<{ changes: number; erasures: number }>;
    expect(days).toHaveLength(3);
    expect(days.reduce((sum, d) => sum + d.changes, 0)).toBe(1);
    expect(res.data!['analytics'].offersByKindAndStatus).toHaveLength(9);
  });

  it('closing an account moves the approved publisher to CLOSED and its offers to DELETED in the counts, as in the read models', async () => {
    const operator = { role: 'operator' as const };
    const registered = await server().gql(REGISTER, { input: aPublisher() });
    const id = registered.data!['registerPublisher'].publisher.id as string;
    await server().gql(
      `mutation ($input: ReviewPublisherInput!) { approvePublisher(input: $input) { position } }`,
      { input: { id, expectedVersion: 1 } },
      operator,
    );
    const create = `mutation ($input: CreateOfferInput!) { createOffer(input: $input) { position offer { id version } } }`;
    const draft = await server().gql(create, { input: { publisherId: id, name: 'Draft VM', kind: 'VIRTUAL_MACHINE' } });
    const other = await server().gql(create, {
      input: { publisherId: id, name: 'Published VM', kind: 'VIRTUAL_MACHINE' },
    });
    const support = await server().gql(
      `mutation ($input: UpdateOfferCustomerServiceInput!) { updateOfferCustomerService(input: $input) { offer { version } } }`,
      {
        input: {
          id: other.data!['createOffer'].offer.id,
          expectedVersion: 1,
          supportContacts: [{ email: 'help@contoso.cn' }],
        },
      },
    );
    const published = await server().gql(
      `mutation ($input: OfferChangeInput!) { publishOffer(input: $input) { position } }`,
      {
        input: {
          id: other.data!['createOffer'].offer.id,
          expectedVersion: support.data!['updateOfferCustomerService'].offer.version,
        },
      },
    );
    expect([draft.errors, published.errors]).toEqual([undefined, undefined]);
    const counts = async (position: string) => {
      await server().gql(
        `query ($id: ID!, $p: String) { publisher(id: $id, minPosition: $p) { id } }`,
        { id, p: position },
        operator,
      );
      const res = await server().gql(
        `{ analytics { publishersByStatus { status count } offersByKindAndStatus { kind status count } } }`,
        {},
        analyst,
      );
      const { publishersByStatus, offersByKindAndStatus } = res.data!['analytics'] as {
        publishersByStatus: Array<{ status: string; count: number }>;
        offersByKindAndStatus: Array<{ kind: string; status: string; count: number }>;
      };
      return {
        publishers: Object.fromEntries(publishersByStatus.map((row) => [row.status, row.count])),
        vms: Object.fromEntries(
          offersByKindAndStatus.filter((row) => row.kind === 'VIRTUAL_MACHINE').map((row) => [row.status, row.count]),
        ),
      };
    };
    const before = await counts(published.data!['publishOffer'].position);
    const closed = await server().gql(
      `mutation ($input: ClosePublisherAccountInput!) { closePublisherAccount(input: $input) { position } }`,
      { input: { publisherId: id } },
      operator,
    );
    const after = await counts(closed.data!['closePublisherAccount'].position);
    expect(Object.keys(after.publishers)).toEqual(['PENDING', 'APPROVED', 'REJECTED', 'CLOSED']);
    expect(after.publishers).toEqual({
      ...before.publishers,
      APPROVED: before.publishers['APPROVED']! - 1,
      CLOSED: (before.publishers['CLOSED'] ?? 0) + 1,
    });
    // the offer read model forgets withdrawn offers, as it forgets deleted ones
    expect(after.vms).toEqual({
      DRAFT: before.vms['DRAFT']! - 1,
      PUBLISHED: before.vms['PUBLISHED']! - 1,
      DELETED: before.vms['DELETED']! + 2,
    });
  });

  it('a masked publisher shows email domains, country codes and pseudonyms, and nothing of the values', async () => {
    const registered = await server().gql(REGISTER, {
      input: aPublisher({
        contact: { name: 'Zhou Xiaoqing', telephone: '139 1234 5678', email: 'xiaoqing.zhou@zhou-family.cn' },
      }),
    });
    const id = registered.data!['registerPublisher'].publisher.id as string;
    const add = await server().gql(ADD_AAD, {
      input: {
        id,
        expectedVersion: 1,
        objectId: '3b1f0c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
        userPrincipalName: 'xq@zhoutenant.partner.onmschina.cn',
        displayName: 'Zhou Xiaoqing',
      },
    });
    // Root fields run side by side: wait for the read models first, then read.
    await server().gql(
      `query ($id: ID!, $p: String) { publisher(id: $id, minPosition: $p) { id } }`,
      { id, p: add.data!['addAadUser'].position },
      analyst,
    );
    const query = `query ($id: ID!) { maskedPublisher(id: $id) { id companyName contact { name telephone email } aadUsers { objectId userPrincipalName displayName } offers { id } } }`;
    const res = await server().gql(query, { id }, analyst);
    const masked = res.data!['maskedPublisher'];
    expect(masked).toMatchObject({
      id,
      companyName: 'Contoso China',
      contact: { telephone: '+86', email: '*@zhou-family.cn' },
      // the registrant's account first, then the one added
      aadUsers: [
        { userPrincipalName: expect.stringMatching(/^\*@/) },
        { userPrincipalName: '*@zhoutenant.partner.onmschina.cn' },
      ],
      offers: [],
    });
    expect(masked.contact.name).toMatch(/^psn_/);
    expect(masked.aadUsers[1].objectId).toMatch(/^psn_/);
    // the same person's name as contact and as account display name: two fields, two pseudonyms
    expect(masked.aadUsers[1].displayName).not.toBe(masked.contact.name);
    expect(JSON.stringify(masked)).not.toMatch(/Xiaoqing|xiaoqing|12345678|3b1f0c7e/);
    const again = await server().gql(query, { id }, analyst);
    expect(again.data!['maskedPublisher']).toEqual(masked);
  });

  it('a masked publisher that does not exist is NOT_FOUND', async () => {
    const res = await server().gql(
      `{ maskedPublisher(id: "00000000-0000-7000-8000-000000000001") { id } }`,
      {},
      analyst,
    );
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a malformed day is BAD_USER_INPUT naming the argument', async () => {
    const res = await server().gql(
      `{ analytics { changesPerDay(from: "yesterday", to: "2026-11-22") { day } } }`,
      {},
      analyst,
    );
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
  });
});
