import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  aPublisher,
  aRegistrationCode,
  PUBLISHER,
  REGISTER,
  startTestServer,
  tempDataDir,
  UPDATE,
  type TestServer,
} from './harness.js';

describe('publisher over GraphQL (HTTP, embedded stores)', () => {
  let data: ReturnType<typeof tempDataDir>;
  let server: TestServer;

  beforeEach(async () => {
    data = tempDataDir();
    server = await startTestServer(data.dir);
  });
  afterEach(async () => {
    await server.close();
    data.remove();
  });

  async function register(input = aPublisher()) {
    const res = await server.gql(REGISTER, { input });
    expect(res.errors).toBeUndefined();
    return res.data!['registerPublisher'];
  }

  it('a registered publisher is returned normalised, with its version and log position', async () => {
    const result = await register();
    expect(result.version).toBe(1);
    expect(Number(result.position)).toBeGreaterThan(0);
    expect(result.publisher).toMatchObject({
      companyName: 'Contoso China',
      version: 1,
      contact: { name: 'Li Lei', telephone: '+8613800138000', email: 'li.lei@contoso.cn' },
    });
  });

  it('a query with the mutation position reads its own write', async () => {
    const result = await register();
    const res = await server.gql(PUBLISHER, { id: result.publisher.id, minPosition: result.position });
    expect(res.errors).toBeUndefined();
    expect(res.data!['publisher']).toMatchObject({
      id: result.publisher.id,
      version: 1,
      contact: { email: 'li.lei@contoso.cn' },
    });
  });

  it('an update changes only what was sent and bumps the version', async () => {
    const created = await register();
    const res = await server.gql(UPDATE, {
      input: { id: created.publisher.id, expectedVersion: 1, contact: { telephone: '+86 139 0013 9000' } },
    });
    expect(res.errors).toBeUndefined();
    const updated = res.data!['updatePublisherContact'];
    expect(updated.version).toBe(2);
    const read = await server.gql(PUBLISHER, { id: created.publisher.id, minPosition: updated.position });
    expect(read.data!['publisher']).toMatchObject({
      version: 2,
      contact: { name: 'Li Lei', telephone: '+8613900139000', email: 'li.lei@contoso.cn' },
    });
  });

  it('an update that changes nothing appends nothing and keeps the version', async () => {
    const created = await register();
    const res = await server.gql(UPDATE, {
      input: { id: created.publisher.id, expectedVersion: 1, contact: { name: 'Li Lei' } },
    });
    expect(res.data!['updatePublisherContact']).toMatchObject({ version: 1, position: created.position });
    expect(await server.ledger.events.headPosition()).toBe(Number(created.position));
  });

  it('a stale expected version is CONFLICT and nothing is changed', async () => {
    const created = await register();
    const id = created.publisher.id;
    await server.gql(UPDATE, { input: { id, expectedVersion: 1, contact: { name: 'Han Meimei' } } });
    const stale = await server.gql(UPDATE, { input: { id, expectedVersion: 1, contact: { name: 'Wei Hua' } } });
    expect(stale.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');
    const read = await server.gql(PUBLISHER, { id, minPosition: String(await server.ledger.events.headPosition()) });
    expect(read.data!['publisher']).toMatchObject({ version: 2, contact: { name: 'Han Meimei' } });
  });

  it('an unknown publisher is NOT_FOUND to an operator, and FORBIDDEN to a user (as is any publisher it is not a member of)', async () => {
    const unknown = { id: '0190f5a2-7b3c-7d4e-8f60-000000000000' };
    expect((await server.gql(PUBLISHER, unknown, { role: 'operator' })).errors?.[0]?.extensions?.['code']).toBe(
      'NOT_FOUND',
    );
    expect((await server.gql(PUBLISHER, unknown)).errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });

  it.each([
    ['an empty company name', { companyName: '  ' }, 'companyName'],
    [
      'a malformed email',
      { contact: { name: 'Li Lei', telephone: '13800138000', email: 'not-an-email' } },
      'contact.email',
    ],
    ['a malformed telephone', { contact: { name: 'Li Lei', telephone: '12', email: 'a@b.cn' } }, 'contact.telephone'],
    ['a malformed id', { id: 'not-a-uuid' }, 'id'],
  ])('%s is BAD_USER_INPUT naming the field, and nothing is written', async (_name, overrides, field) => {
    const res = await server.gql(REGISTER, { input: aPublisher(overrides) });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await server.ledger.events.headPosition()).toBe(0);
  });

  it('a malformed publisher id in a query is BAD_USER_INPUT', async () => {
    const res = await server.gql(PUBLISHER, { id: 'publisher-1' });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('error responses carry no stack trace', async () => {
    const res = await server.gql(PUBLISHER, { id: 'publisher-1' });
    expect(JSON.stringify(res)).not.toMatch(/stacktrace|at .*\.ts:\d+/i);
  });

  it('the contact person is stored encrypted in the event log', async () => {
    await register();
    const bytes = fs.readFileSync(path.join(data.dir, 'events.sqlite'));
    const wal = fs.existsSync(path.join(data.dir, 'events.sqlite-wal'))
      ? fs.readFileSync(path.join(data.dir, 'events.sqlite-wal'))
      : Buffer.alloc(0);
    for (const value of ['li.lei@contoso.cn', '+8613800138000', 'Li Lei']) {
      expect(bytes.includes(value) || wal.includes(value), value).toBe(false);
    }
    expect(bytes.includes('Contoso China') || wal.includes('Contoso China')).toBe(true);
  });

  it('health and readiness answer over HTTP', async () => {
    const base = server.url.replace('/graphql', '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
  });

  it('a body over the limit is refused with 413 and the server keeps serving', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename }`, pad: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect((await server.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('malformed JSON is a 400 with a clear message', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      errors: [{ message: 'Malformed JSON body', extensions: { code: 'BAD_REQUEST' } }],
    });
  });
});

describe('restart', () => {
  it('a registered publisher is still there after the server restarts on the same data directory', async () => {
    const data = tempDataDir();
    try {
      let server = await startTestServer(data.dir);
      const res = await server.gql(REGISTER, { input: aPublisher() });
      const { publisher, position } = res.data!['registerPublisher'];
      await server.close();
      server = await startTestServer(data.dir);
      const read = await server.gql(PUBLISHER, { id: publisher.id, minPosition: position });
      await server.close();
      expect(read.data!['publisher']).toMatchObject({ id: publisher.id, contact: { email: 'li.lei@contoso.cn' } });
    } finally {
      data.remove();
    }
  });
});

describe('publisher registration and preferences over GraphQL', () => {
  let data: ReturnType<typeof tempDataDir>;
  let server: TestServer;
  beforeEach(async () => {
    data = tempDataDir();
    server = await startTestServer(data.dir);
  });
  afterEach(async () => {
    await server.close();
    data.remove();
  });

  const REVIEW = (name: string) =>
    `mutation ($input: ReviewPublisherInput!) { ${name}(input: $input) { version position publisher { registrationStatus rejectionReason } } }`;
  const PREFERENCES = `mutation ($input: UpdateContactPreferencesInput!) { updateContactPreferences(input: $input) { version position publisher { contactPreferences { aboutOffers aboutFeedback byEmail byPhone } } } }`;

  async function register(input = aPublisher()) {
    const res = await server.gql(REGISTER, { input });
    expect(res.errors).toBeUndefined();
    return res.data!['registerPublisher'];
  }

  it('a new publisher is pending, with its normalised registration code and no contact consent', async () => {
    const { publisher, position } = await register(aPublisher({ registrationCode: ' 9135-0100-m000 100y43 ' }));
    const read = await server.gql(PUBLISHER, { id: publisher.id, minPosition: position });
    expect(read.data!['publisher']).toMatchObject({
      registrationCode: '91350100M000100Y43',
      registrationStatus: 'PENDING',
      rejectionReason: null,
      contactPreferences: { aboutOffers: false, aboutFeedback: false, byEmail: false, byPhone: false },
    });
  });

  it('a registration code with a wrong check character is BAD_USER_INPUT with the reason', async () => {
    const res = await server.gql(REGISTER, { input: aPublisher({ registrationCode: '91350100M000100Y44' }) });
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'registrationCode',
      rule: 'has a wrong check character (position 18)',
    });
  });

  it('a registration code already registered is BAD_USER_INPUT, naming neither the code nor its publisher', async () => {
    const code = aRegistrationCode();
    const first = await register(aPublisher({ registrationCode: code }));
    const res = await server.gql(REGISTER, { input: aPublisher({ registrationCode: code.toLowerCase() }) });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'registrationCode' });
    expect(res.errors?.[0]?.extensions?.['rule']).toMatch(/unique/);
    expect(JSON.stringify(res.errors).toUpperCase()).not.toContain(code.slice(8));
    expect(JSON.stringify(res.errors)).not.toContain(first.publisher.id);
  });

  it('contact preferences are replaced as a whole and read back', async () => {
    const { publisher } = await register();
    const res = await server.gql(PREFERENCES, {
      input: { id: publisher.id, expectedVersion: 1, contactPreferences: { aboutOffers: true, byEmail: true } },
    });
    expect(res.errors).toBeUndefined();
    const { version, position } = res.data!['updateContactPreferences'];
    expect(version).toBe(2);
    const read = await server.gql(PUBLISHER, { id: publisher.id, minPosition: position });
    expect(read.data!['publisher'].contactPreferences).toEqual({
      aboutOffers: true,
      aboutFeedback: false,
      byEmail: true,
      byPhone: false,
    });
  });

  it('an operator rejects with a reason, then approves on review', async () => {
    const { publisher } = await register();
    const rejected = await server.gql(
      REVIEW('rejectPublisher'),
      { input: { id: publisher.id, expectedVersion: 1, reason: 'registry has no such code' } },
      { role: 'operator' },
    );
    expect(rejected.data!['rejectPublisher'].publisher).toEqual({
      registrationStatus: 'REJECTED',
      rejectionReason: 'registry has no such code',
    });
    const approved = await server.gql(
      REVIEW('approvePublisher'),
      { input: { id: publisher.id, expectedVersion: 2 } },
      { role: 'operator' },
    );
    const { position } = approved.data!['approvePublisher'];
    const read = await server.gql(PUBLISHER, { id: publisher.id, minPosition: position });
    expect(read.data!['publisher']).toMatchObject({
      registrationStatus: 'APPROVED',
      rejectionReason: null,
      version: 3,
    });
  });

  it('rejecting without a reason is BAD_USER_INPUT naming the reason', async () => {
    const { publisher } = await register();
    const res = await server.gql(
      REVIEW('rejectPublisher'),
      { input: { id: publisher.id, expectedVersion: 1 } },
      { role: 'operator' },
    );
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
  });

  it('rejecting an approved publisher is refused and changes nothing', async () => {
    const { publisher } = await register();
    await server.gql(
      REVIEW('approvePublisher'),
      { input: { id: publisher.id, expectedVersion: 1 } },
      { role: 'operator' },
    );
    const res = await server.gql(
      REVIEW('rejectPublisher'),
      { input: { id: publisher.id, expectedVersion: 2, reason: 'second thoughts' } },
      { role: 'operator' },
    );
    expect(res.errors?.[0]).toMatchObject({
      message: 'only a pending registration can be rejected',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });
});
