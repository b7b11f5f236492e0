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

  it('an event type that does not exist is BAD_USER_INPUT, not an empty list', async () => {
    await server.gql(REGISTER, { input: aPublisher() });
    const typo = await server.gql(AUDIT, { filter: { eventTypes: ['ContactUpdatd'] } }, { role: 'auditor' });
    expect(typo.data?.['auditTrail']).toBeUndefined();
    expect(typo.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(typo.errors?.[0]?.message).toMatch(/eventTypes/);
  });

  it('changedFields name the fields as history names them, and statuses read as the API’s enums', async () => {
    const registered = await server.gql(REGISTER, { input: aPublisher() });
    const id: string = registered.data!['registerPublisher'].publisher.id;
    const added = await server.gql(`mutation ($input: AddAadUserInput!) { addAadUser(input: $input) { position } }`, {
      input: { id, expectedVersion: 1, objectId: '11111111-2222-4333-8444-555555555555', userPrincipalName: 'li.lei@contoso.cn', displayName: 'Li Lei' },
    });
    const offer = await server.gql(CREATE_OFFER, { input: { publisherId: id, name: 'VM image', kind: 'VIRTUAL_MACHINE' } });
    expect([added.errors, offer.errors]).toEqual([undefined, undefined]);
    const offerId: string = offer.data!['createOffer'].offer.id;
    const trail = await server.gql(AUDIT, { filter: { publisherId: id }, minPosition: offer.data!['createOffer'].position }, { role: 'auditor' });
    const changedFields = (type: string): string[] =>
      trail.data!['auditTrail'].edges.find((e: { node: { type: string } }) => e.node.type === type).node.changedFields;
    const HISTORY = `query ($kind: HistorySubjectKind!, $id: ID!) { history(kind: $kind, id: $id, first: 10) { edges { node { eventType changes { field before after } } } } }`;
    const historyOf = async (kind: string, subject: string) => {
      const res = await server.gql(HISTORY, { kind, id: subject }, { role: 'auditor' });
      expect(res.errors).toBeUndefined();
      return res.data!['history'].edges.map((e: { node: unknown }) => e.node) as Array<{ eventType: string; changes: Array<{ field: string; before: string | null; after: string | null }> }>;
    };
    const publisher = await historyOf('PUBLISHER', id);
    const fieldsOf = (entries: typeof publisher, type: string) => entries.find((e) => e.eventType === type)!.changes.map((c) => c.field).sort();
    expect(fieldsOf(publisher, 'AadUserAdded')).toContainEqual(expect.stringMatching(/^aadUsers\.[^.]+\.displayName$/));
    expect([...changedFields('AadUserAdded')].sort()).toEqual(fieldsOf(publisher, 'AadUserAdded'));
    const offerHistory = await historyOf('OFFER', offerId);
    expect(offerHistory[0]!.changes).toContainEqual({ field: 'status', before: null, after: 'DRAFT' });
    expect([...changedFields('OfferCreated')].sort()).toEqual(fieldsOf(offerHistory, 'OfferCreated'));
  });
});
