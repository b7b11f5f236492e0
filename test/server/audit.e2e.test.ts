import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACTOR_REFERENCE } from '../../src/privacy/actor-references.js';
import {
  aPublisher,
  REGISTER,
  startTestServer,
  tempDataDir,
  UPDATE,
  type TestServer,
  DEFAULT_PRINCIPAL,
} from './harness.js';

const AUDIT = /* GraphQL */ `
  query Audit($filter: AuditTrailFilter, $first: Int, $after: String, $minPosition: String) {
    auditTrail(filter: $filter, first: $first, after: $after, minPosition: $minPosition) {
      edges {
        cursor
        node {
          id
          type
          streamId
          revision
          position
          occurredAt
          actor {
            id
            kind
            role
            objectId
            erased
          }
          publisherId
          offerId
          changedFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
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
    const offer = await server.gql(CREATE_OFFER, {
      input: { publisherId: id, name: 'VM image', kind: 'VIRTUAL_MACHINE' },
    });
    expect(offer.errors).toBeUndefined();
    const minPosition: string = offer.data!['createOffer'].position;

    const mine = await server.gql(AUDIT, { filter: { publisherId: id }, minPosition }, { role: 'auditor' });
    expect(mine.errors).toBeUndefined();
    const nodes = mine.data!['auditTrail'].edges.map((e: { node: Record<string, unknown> }) => e.node);
    // a registration claims its registration code first (src/events/registration-code), for the same publisher
    expect(nodes.map((n: { type: string }) => n.type)).toEqual([
      'OfferCreated',
      'ContactUpdated',
      'PublisherRegistered',
      'RegistrationCodeClaimed',
    ]);
    expect(nodes[1]).toMatchObject({
      streamId: `publisher-${id}`,
      revision: 1,
      // a member by its account at the publisher (the one it registered with)
      actor: { id: nodes[2].actor.id, kind: 'USER', role: 'member', objectId: DEFAULT_PRINCIPAL.oid, erased: false },
      publisherId: id,
      offerId: null,
      changedFields: ['contact.email'],
    });
    expect(nodes[0].offerId).toBe(offer.data!['createOffer'].offer.id);
    // the contact's values as given and as stored (a bare "138" would also match inside a random id's hex)
    expect(JSON.stringify(mine.data)).not.toMatch(/contoso\.cn|Li Lei|138 0013 8000|8613800138000/i);

    // pages: the same entries, two and then two (other work may append to the log meanwhile, so page within the publisher)
    const positions = nodes.map((n: { position: string }) => n.position);
    const page = await server.gql(AUDIT, { filter: { publisherId: id }, first: 2 }, { role: 'auditor' });
    expect(page.data!['auditTrail'].edges.map((e: { node: { position: string } }) => e.node.position)).toEqual(
      positions.slice(0, 2),
    );
    const rest = await server.gql(
      AUDIT,
      { filter: { publisherId: id }, first: 2, after: page.data!['auditTrail'].pageInfo.endCursor },
      { role: 'auditor' },
    );
    expect(rest.data!['auditTrail']).toMatchObject({
      edges: [{ node: { position: positions[2] } }, { node: { position: positions[3] } }],
      pageInfo: { hasNextPage: false },
    });

    const registrations = await server.gql(
      AUDIT,
      { filter: { eventTypes: ['PublisherRegistered'], actorId: DEFAULT_PRINCIPAL.oid } },
      { role: 'auditor' },
    );
    expect(registrations.data!['auditTrail'].edges).toHaveLength(2);
    const bad = await server.gql(AUDIT, { filter: { from: 'last week' } }, { role: 'auditor' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
  });

  it("finds a person's entries by their object id while they exist; once erased, shows them as erased and the object id finds nothing", async () => {
    const colleague = { role: 'member' as const, oid: 'c011ea90-0000-4000-8000-00000000c0de' };
    const registered = await server.gql(REGISTER, { input: aPublisher() });
    const id: string = registered.data!['registerPublisher'].publisher.id;
    const ADD = `mutation ($input: AddAadUserInput!) { addAadUser(input: $input) { version } }`;
    await server.gql(ADD, {
      input: {
        id,
        expectedVersion: 1,
        objectId: colleague.oid,
        userPrincipalName: 'han@contoso.cn',
        displayName: 'Han',
      },
    });
    const edit = await server.gql(
      UPDATE,
      { input: { id, expectedVersion: 2, contact: { name: 'Han Meimei' } } },
      colleague,
    );
    expect(edit.errors).toBeUndefined();
    const removed = await server.gql(
      `mutation ($input: RemoveAadUserInput!) { removeAadUser(input: $input) { position publisher { aadUsers { accountId } } } }`,
      {
        input: { id, expectedVersion: 3, objectId: colleague.oid },
      },
    );
    const byColleague = { filter: { actorId: colleague.oid }, minPosition: removed.data!['removeAadUser'].position };
    const before = (await server.gql(AUDIT, byColleague, { role: 'auditor' })).data!['auditTrail'].edges.map(
      (e: { node: any }) => e.node,
    );
    expect(before).toEqual([
      expect.objectContaining({
        type: 'ContactUpdated',
        actor: { id: expect.any(String), kind: 'USER', role: 'member', objectId: colleague.oid, erased: false },
      }),
    ]);
    // a member is named by its account at the publisher
    const reference: string = before[0].actor.id;

    const history = await server.gql(
      `query ($id: ID!) { history(kind: PUBLISHER, id: $id, first: 10) { edges { node { changes { field } } } } }`,
      { id },
      { role: 'auditor' },
    );
    const accountId = (JSON.stringify(history.data).match(/aadUsers\.([^.]+)\.displayName/g) ?? [])
      .map((f) => f.split('.')[1]!)
      .find(
        (account) =>
          !removed.data!['removeAadUser'].publisher.aadUsers.some(
            (u: { accountId: string }) => u.accountId === account,
          ),
      );
    const erased = await server.gql(
      `mutation ($input: ErasePersonalDataInput!) { erasePersonalData(input: $input) { position } }`,
      {
        input: { publisherId: id, target: 'AAD_ACCOUNT', accountId },
      },
      { role: 'operator' },
    );
    expect(erased.errors).toBeUndefined();
    expect(reference).toBe(accountId);
    const minPosition = erased.data!['erasePersonalData'].position;
    expect(
      (await server.gql(AUDIT, { ...byColleague, minPosition }, { role: 'auditor' })).data!['auditTrail'].edges,
    ).toEqual([]);
    const byReference = await server.gql(AUDIT, { filter: { actorId: reference }, minPosition }, { role: 'auditor' });
    expect(byReference.data!['auditTrail'].edges.map((e: { node: any }) => e.node.actor)).toEqual([
      { id: reference, kind: 'USER', role: 'member', objectId: null, erased: true },
    ]);
    // whoever erased it and the owner are still shown
    const all = (await server.gql(AUDIT, { filter: { publisherId: id }, minPosition }, { role: 'auditor' })).data![
      'auditTrail'
    ].edges.map((e: { node: any }) => e.node.actor);
    expect(all.filter((actor: { erased: boolean }) => actor.erased)).toHaveLength(1);
    expect(
      all.filter((actor: { objectId: string | null }) => actor.objectId === DEFAULT_PRINCIPAL.oid).length,
    ).toBeGreaterThanOrEqual(3);
    // the history names actors by account or reference, never by object id, and says which were erased
    const after = await server.gql(
      `query ($id: ID!) { history(kind: PUBLISHER, id: $id, first: 10) { edges { node { eventType actor { id erased } } } } }`,
      { id },
      { role: 'auditor' },
    );
    const actors = after.data!['history'].edges.map(
      (e: { node: { eventType: string; actor: { id: string; erased: boolean } } }) => [e.node.eventType, e.node.actor],
    );
    expect(actors.filter(([, actor]: [string, { erased: boolean }]) => actor.erased)).toEqual([
      ['ContactUpdated', { id: reference, erased: true }],
    ]);
    expect(actors.some(([, actor]: [string, { id: string }]) => ACTOR_REFERENCE.test(actor.id))).toBe(true); // the operator who erased it
    expect(JSON.stringify(after.data)).not.toContain(colleague.oid);
    expect(JSON.stringify(after.data)).not.toContain(DEFAULT_PRINCIPAL.oid);
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
      input: {
        id,
        expectedVersion: 1,
        objectId: '11111111-2222-4333-8444-555555555555',
        userPrincipalName: 'li.lei@contoso.cn',
        displayName: 'Li Lei',
      },
    });
    const offer = await server.gql(CREATE_OFFER, {
      input: { publisherId: id, name: 'VM image', kind: 'VIRTUAL_MACHINE' },
    });
    expect([added.errors, offer.errors]).toEqual([undefined, undefined]);
    const offerId: string = offer.data!['createOffer'].offer.id;
    const trail = await server.gql(
      AUDIT,
      { filter: { publisherId: id }, minPosition: offer.data!['createOffer'].position },
      { role: 'auditor' },
    );
    const changedFields = (type: string): string[] =>
      trail.data!['auditTrail'].edges.find((e: { node: { type: string } }) => e.node.type === type).node.changedFields;
    const HISTORY = `query ($kind: HistorySubjectKind!, $id: ID!) { history(kind: $kind, id: $id, first: 10) { edges { node { eventType changes { field before after } } } } }`;
    const historyOf = async (kind: string, subject: string) => {
      const res = await server.gql(HISTORY, { kind, id: subject }, { role: 'auditor' });
      expect(res.errors).toBeUndefined();
      return res.data!['history'].edges.map((e: { node: unknown }) => e.node) as Array<{
        eventType: string;
        changes: Array<{ field: string; before: string | null; after: string | null }>;
      }>;
    };
    const publisher = await historyOf('PUBLISHER', id);
    const fieldsOf = (entries: typeof publisher, type: string) =>
      entries
        .find((e) => e.eventType === type)!
        .changes.map((c) => c.field)
        .sort();
    expect(fieldsOf(publisher, 'AadUserAdded')).toContainEqual(expect.stringMatching(/^aadUsers\.[^.]+\.displayName$/));
    expect([...changedFields('AadUserAdded')].sort()).toEqual(fieldsOf(publisher, 'AadUserAdded'));
    const offerHistory = await historyOf('OFFER', offerId);
    expect(offerHistory[0]!.changes).toContainEqual({ field: 'status', before: null, after: 'DRAFT' });
    expect([...changedFields('OfferCreated')].sort()).toEqual(fieldsOf(offerHistory, 'OfferCreated'));
  });
});
