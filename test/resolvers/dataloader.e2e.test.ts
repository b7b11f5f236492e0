import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { aPublisher, REGISTER, startTestServer, tempDataDir, type TestServer } from '../server/harness.js';

describe('per-request DataLoaders', () => {
  let data: ReturnType<typeof tempDataDir>;
  let server: TestServer;
  beforeEach(async () => {
    data = tempDataDir();
    server = await startTestServer(data.dir);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await server.close();
    data.remove();
  });

  it('reading many publishers with their accounts in one query costs one read-store call and one key lookup', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await server.gql(REGISTER, { input: aPublisher({ companyName: `Company ${i}` }) });
      ids.push(res.data!['registerPublisher'].publisher.id);
    }
    await server.ledger.runner.waitFor(await server.ledger.events.headPosition(), 5_000);
    // Spies call through to the real stores; they only count.
    const reads = vi.spyOn(server.ledger.reads, 'getMany');
    const keys = vi.spyOn(server.ledger.keys, 'getMany');
    const query = `query { ${ids
      .map((id, i) => `p${i}: publisher(id: "${id}") { companyName contact { email } aadUsers { objectId } }`)
      .join(' ')} again: publisher(id: "${ids[0]}") { version } }`;
    const res = await server.gql(query);
    expect(res.errors).toBeUndefined();
    expect(Object.keys(res.data!)).toHaveLength(9);
    // only the query's own reads: projections (of the VIEW records this query leaves) read the store in the background
    expect(reads.mock.calls.filter(([collection]) => collection === 'publishers')).toHaveLength(1);
    // opening the page's values is one lookup of every subject it shows (the view records the query leaves
    // look up, in the background, each the key of the member's account at that publisher, which names them)
    const opening = keys.mock.calls.filter(([subjects]) => subjects.some((subject) => subject.endsWith('/contact')));
    expect(opening).toHaveLength(1);
    expect(opening[0]![0].filter((subject) => subject.endsWith('/contact'))).toHaveLength(8);
  });

  it('a publisher with its accounts and 50 offers with their support contacts costs a constant number of store calls', async () => {
    const created = await server.gql(REGISTER, { input: aPublisher() });
    const { id } = created.data!['registerPublisher'].publisher;
    await server.ledger.services.publishers.addAadUser(
      {
        id,
        expectedVersion: 1,
        objectId: '11111111-2222-4333-8444-555555555555',
        userPrincipalName: 'a@contoso.cn',
        displayName: 'A',
      },
      { actor: { id: 'test', kind: 'system' }, correlationId: 'c' },
    );
    const context = { actor: { id: 'test', kind: 'system' as const }, correlationId: 'c' };
    for (let i = 0; i < 50; i++) {
      const { offer } = await server.ledger.services.offers.create(
        { publisherId: id, name: `Offer ${i}`, kind: 'VIRTUAL_MACHINE' },
        context,
      );
      await server.ledger.services.offers.updateCustomerService(
        { id: offer!.id, expectedVersion: 1, supportContacts: [{ qq: `${10000 + i}`, email: `s${i}@contoso.cn` }] },
        context,
      );
    }
    await server.ledger.runner.waitFor(await server.ledger.events.headPosition(), 10_000);
    const calls = () => ({
      getMany: vi.spyOn(server.ledger.reads, 'getMany'),
      find: vi.spyOn(server.ledger.reads, 'find'),
      count: vi.spyOn(server.ledger.reads, 'count'),
      keys: vi.spyOn(server.ledger.keys, 'getMany'),
    });
    const spies = calls();
    const res = await server.gql(
      `query ($id: ID!) { publisher(id: $id) { companyName contact { email } aadUsers { objectId displayName } }
        offers(publisherId: $id, first: 50) { totalCount edges { node { name supportContacts { qq email } } } } }`,
      { id },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!['offers'].edges).toHaveLength(50);
    expect(res.data!['offers'].edges[49].node.supportContacts[0]).toEqual({ qq: '10000', email: 's0@contoso.cn' });
    // only the query's own reads: projections (of the VIEW records this query leaves) read the store in the background
    const queried = new Set(['publishers', 'offers']);
    const ofQuery = (spy: { mock: { calls: unknown[][] } }) =>
      spy.mock.calls.filter(([collection]) => queried.has(String(collection))).length;
    // key lookups that open values (not the view records' lookups of the member's account key, in the background)
    const opening = spies.keys.mock.calls.filter(([subjects]) =>
      subjects.some((subject) => /\/(contact|support)$/.test(subject)),
    ).length;
    const counts = {
      getMany: ofQuery(spies.getMany),
      find: ofQuery(spies.find),
      count: ofQuery(spies.count),
      keys: opening,
    };
    // the first page holds every offer, so it counts itself: no count query
    expect(res.data!['offers'].totalCount).toBe(50);
    expect(counts).toEqual({ getMany: 1, find: 1, count: 0, keys: 2 });
  });

  it('loaders are not shared between requests: a change is visible to the next request', async () => {
    const created = await server.gql(REGISTER, { input: aPublisher() });
    const { id } = created.data!['registerPublisher'].publisher;
    const q = `query ($id: ID!, $p: String) { publisher(id: $id, minPosition: $p) { version } }`;
    expect(
      (await server.gql(q, { id, p: created.data!['registerPublisher'].position })).data!['publisher'].version,
    ).toBe(1);
    const updated = await server.gql(
      `mutation ($input: UpdatePublisherContactInput!) { updatePublisherContact(input: $input) { position } }`,
      { input: { id, expectedVersion: 1, companyName: 'Renamed' } },
    );
    const after = await server.gql(q, { id, p: updated.data!['updatePublisherContact'].position });
    expect(after.data!['publisher'].version).toBe(2);
  });
});
