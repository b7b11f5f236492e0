import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aPublisher, REGISTER, startTestServer, tempDataDir, UPDATE, type TestServer, DEFAULT_PRINCIPAL } from './harness.js';

const AUDIT = /* GraphQL */ `
  query Audit($filter: AuditTrailFilter, $first: Int, $after: String, $minPosition: String) {
    auditTrail(filter: $filter, first: $first, after: $after, minPosition: $minPosition) {
      edges { cursor node { id type streamId revision position occurredAt actor { id kind role } publisherId offerId changedFields } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
const CREATE_OFFER = `mutation ($input: CreateOfferInput!) { createOffer(input: $input) { position offer { id } } }`;

describe('auditTrail', () => {
  let data: ReturnType<typeof tempDataDir>;
  let server: TestServer;
  beforeEach(async () => {
    data = tempDataDir('pl-audit-');
    server = await startTestServer(data.dir);
  });
  afterEach(async () => {
    await server.close();
    data.remove();
  });

  it('lists every change newest first, by publisher and type, naming fields but never showing their values', async () => {
    const first = await server.gql(REGISTER, { input: aPublisher() });
    const id: string = first.data!['registerPublisher'].publisher.id;
    await server.gql(REGISTER, { input: aPublisher({ companyName: 'Other' }) });
    await server.gql(UPDATE, { input: { id, expectedVersion: 1, contact: { email: 'new.mail@contoso.cn' } } });
    const offer = await server.gql(CREATE_OFFER, { input: { publisherId: id, name: 'VM image', kind: 'VIRTUAL_MACHINE' } });
    expect(offer.errors).toBeUndefined();
    const minPosition: string = offer.data!['createOffer'].position;

    const mine = await server.gql(AUDIT, { filter: { publisherId: id }, minPosition }, { role: 'auditor' });
    expect(mine.errors).toBeUndefined();
    const nodes = mine.data!['auditTrail'].edges.map((e: { node: Record<string, unknown> }) => e.node);
    // a registration claims its registration code first (src/events/registration-code), for the same publisher
    expect(nodes.map((n: { type: string }) => n.type)).toEqual(['OfferCreated', 'ContactUpdated', 'PublisherRegistered', 'RegistrationCodeClaimed']);
    expect(nodes[1]).toMatchObject({
      streamId: `publisher-${id}`,
      revision: 1,
      actor: { id: DEFAULT_PRINCIPAL.oid, kind: 'USER', role: 'member' },
      publisherId: id,
      offerId: null,
      changedFields: ['contact.email'],
    });
    expect(nodes[0].offerId).toBe(offer.data!['createOffer'].offer.id);
    expect(JSON.stringify(mine.data)).not.toMatch(/contoso\.cn|Li Lei|138/i);

    // pages: the same entries, two and then two (other work may append to the log meanwhile, so page within the publisher)
    const positions = nodes.map((n: { position: string }) => n.position);
    const page = await server.gql(AUDIT, { filter: { publisherId: id }, first: 2 }, { role: 'auditor' });
    expect(page.data!['auditTrail'].edges.map((e: { node: { position: string } }) => e.node.position)).toEqual(positions.slice(0, 2));
    const rest = await server.gql(AUDIT, { filter: { publisherId: id }, first: 2, after: page.data!['auditTrail'].pageInfo.endCursor }, { role: 'auditor' });
    expect(rest.data!['auditTrail']).toMatchObject({ edges: [{ node: { position: positions[2] } }, { node: { position: positions[3] } }], pageInfo: { hasNextPage: false } });

    const registrations = await server.gql(AUDIT, { filter: { eventTypes: ['PublisherRegistered'], actorId: DEFAULT_PRINCIPAL.oid } }, { role: 'auditor' });
    expect(registrations.data!['auditTrail'].edges).toHaveLength(2);
    const bad = await server.gql(AUDIT, { filter: { from: 'last week' } }, { role: 'auditor' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
  });
});
