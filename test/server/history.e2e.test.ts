import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aPublisher, REGISTER, startTestServer, tempDataDir, UPDATE, type TestServer } from './harness.js';

const HISTORY = `query ($kind: HistorySubjectKind!, $id: ID!, $first: Int, $after: String) {
  history(kind: $kind, id: $id, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { subjectKind subjectId revision position eventType schemaVersion occurredAt actor { id kind role } changes { field before after beforeErased afterErased } } }
  }
}`;
const AS_OF = `query ($id: ID!, $asOf: String) { publisher(id: $id, asOf: $asOf) { version companyName contact { name email } } }`;
const OFFER_AS_OF = `query ($id: ID!, $asOf: String) { offer(id: $id, asOf: $asOf) { status version supportContacts { qq } } }`;
const EXPORT = `query ($id: ID!, $format: ExportFormat!, $from: String) { exportHistory(publisherId: $id, format: $format, from: $from) }`;
const CREATE = `mutation ($input: CreateOfferInput!) { createOffer(input: $input) { offer { id } } }`;
const SUPPORT = `mutation ($input: UpdateOfferCustomerServiceInput!) { updateOfferCustomerService(input: $input) { version } }`;
const DELETE = `mutation ($input: OfferChangeInput!) { deleteOffer(input: $input) { version } }`;

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

const auditor = { role: 'auditor' as const };

describe('auditors over GraphQL', () => {
  let data: ReturnType<typeof tempDataDir>;
  let server: TestServer;
  let publisherId: string;
  let offerId: string;
  beforeAll(async () => {
    data = tempDataDir();
    server = await startTestServer(data.dir);
    publisherId = (await server.gql(REGISTER, { input: aPublisher() })).data!['registerPublisher'].publisher.id;
    await tick();
    await server.gql(UPDATE, { input: { id: publisherId, expectedVersion: 1, contact: { email: 'han@contoso.cn' } } });
    offerId = (await server.gql(CREATE, { input: { publisherId, name: 'Contoso VM', kind: 'VIRTUAL_MACHINE' } })).data![
      'createOffer'
    ].offer.id;
    await server.gql(SUPPORT, { input: { id: offerId, expectedVersion: 1, supportContacts: [{ qq: '55501234' }] } });
    await tick();
    await server.gql(DELETE, { input: { id: offerId, expectedVersion: 2 } });
  });
  afterAll(async () => {
    await server.close();
    data.remove();
  });

  it('history lists each change with who, when and the fields before and after, page by page', async () => {
    const first = await server.gql(HISTORY, { kind: 'PUBLISHER', id: publisherId, first: 1 }, auditor);
    expect(first.errors).toBeUndefined();
    const page = first.data!['history'];
    expect(page).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
    expect(page.edges[0].node).toMatchObject({
      subjectKind: 'PUBLISHER',
      revision: 0,
      eventType: 'PublisherRegistered',
      schemaVersion: 1,
    });
    const next = await server.gql(
      HISTORY,
      { kind: 'PUBLISHER', id: publisherId, first: 10, after: page.pageInfo.endCursor },
      auditor,
    );
    const update = next.data!['history'].edges[0].node;
    expect(update).toMatchObject({ revision: 1, eventType: 'ContactUpdated', actor: { kind: expect.any(String) } });
    expect(update.changes).toEqual([
      {
        field: 'contact.email',
        before: 'li.lei@contoso.cn',
        after: 'han@contoso.cn',
        beforeErased: false,
        afterErased: false,
      },
    ]);
    expect(next.data!['history'].pageInfo.hasNextPage).toBe(false);
  });

  it('a deleted offer keeps its history', async () => {
    const res = await server.gql(HISTORY, { kind: 'OFFER', id: offerId }, auditor);
    expect(res.data!['history'].edges.map((e: { node: { eventType: string } }) => e.node.eventType)).toEqual([
      'OfferCreated',
      'OfferCustomerServiceUpdated',
      'OfferDeleted',
    ]);
  });

  it('publisher and offer asOf: as they stood between two changes; NOT_FOUND before the first and after deletion', async () => {
    const entries = (await server.gql(HISTORY, { kind: 'PUBLISHER', id: publisherId }, auditor)).data!['history'].edges;
    const registeredAt = entries[0].node.occurredAt as string;
    const before = new Date(Date.parse(registeredAt) - 1).toISOString();
    const between = new Date(Date.parse(entries[1].node.occurredAt) - 1).toISOString();
    expect((await server.gql(AS_OF, { id: publisherId, asOf: between }, auditor)).data!['publisher']).toEqual({
      version: 1,
      companyName: 'Contoso China',
      contact: { name: 'Li Lei', email: 'li.lei@contoso.cn' },
    });
    expect(
      (await server.gql(AS_OF, { id: publisherId, asOf: before }, auditor)).errors?.[0]?.extensions?.['code'],
    ).toBe('NOT_FOUND');

    const offerEntries = (await server.gql(HISTORY, { kind: 'OFFER', id: offerId }, auditor)).data!['history'].edges;
    const beforeDeletion = new Date(Date.parse(offerEntries[2].node.occurredAt) - 1).toISOString();
    expect((await server.gql(OFFER_AS_OF, { id: offerId, asOf: beforeDeletion }, auditor)).data!['offer']).toEqual({
      status: 'DRAFT',
      version: 2,
      supportContacts: [{ qq: '55501234' }],
    });
    expect(
      (await server.gql(OFFER_AS_OF, { id: offerId, asOf: offerEntries[2].node.occurredAt }, auditor)).errors?.[0]
        ?.extensions?.['code'],
    ).toBe('NOT_FOUND');
  });

  it('exportHistory returns the publisher’s and its offers’ changes as one document', async () => {
    const res = await server.gql(EXPORT, { id: publisherId, format: 'JSONL' }, auditor);
    expect(res.errors).toBeUndefined();
    const lines = (res.data!['exportHistory'] as string)
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { subject: { kind: string }; type: string; changes: unknown[] });
    expect(lines.map((l) => `${l.subject.kind}:${l.type}`)).toEqual([
      'publisher:PublisherRegistered',
      'publisher:ContactUpdated',
      'offer:OfferCreated',
      'offer:OfferCustomerServiceUpdated',
      'offer:OfferDeleted',
    ]);
    // statuses as the API spells them, as in history and the read models
    expect(lines[2]!.changes).toContainEqual({ field: 'status', before: null, after: 'DRAFT' });
    expect(lines[4]!.changes).toContainEqual({ field: 'status', before: 'DRAFT', after: 'DELETED' });
    const csv = await server.gql(EXPORT, { id: publisherId, format: 'CSV' }, auditor);
    expect(csv.data!['exportHistory']).toMatch(/^subject_kind,subject_id,revision/);
    expect(csv.data!['exportHistory']).toMatch(/,OfferCreated,.*,status,,DRAFT,false,false\r\n/);
  });

  it('bad instants, cursors and unknown publishers get clear error codes', async () => {
    const code = async (query: string, variables: Record<string, unknown>) =>
      (await server.gql(query, variables, auditor)).errors?.[0]?.extensions?.['code'];
    expect(await code(AS_OF, { id: publisherId, asOf: 'last tuesday' })).toBe('BAD_USER_INPUT');
    expect(await code(HISTORY, { kind: 'PUBLISHER', id: publisherId, after: 'bm9wZQ' })).toBe('BAD_USER_INPUT');
    expect(await code(EXPORT, { id: publisherId, format: 'JSONL', from: '2026-11-22' })).toBe('BAD_USER_INPUT');
    expect(await code(EXPORT, { id: '0190f5a2-7b3c-7d4e-8f60-00000000ffff', format: 'CSV' })).toBe('NOT_FOUND');
  });

  it('reading a history is recorded as a VIEW of its publisher, an export as an EXPORT', async () => {
    await server.gql(HISTORY, { kind: 'OFFER', id: offerId }, auditor);
    await server.gql(EXPORT, { id: publisherId, format: 'JSONL' }, auditor);
    await server.ledger.services.readRecorder.drain();
    const head = String(await server.ledger.events.headPosition());
    const res = await server.gql(
      `query ($id: ID!, $p: String) { privacyRequests(publisherId: $id, minPosition: $p) { edges { node { kind target } } } }`,
      { id: publisherId, p: head },
    );
    const records = res.data!['privacyRequests'].edges.map((e: any) => `${e.node.kind} ${e.node.target}`);
    expect(records).toContain('VIEW offer.history');
    expect(records).toContain('EXPORT history');
  });
});
