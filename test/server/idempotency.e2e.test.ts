import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  aPublisher,
  REGISTER,
  REQUEST_GRANT,
  startTestServer,
  tempDataDir,
  UPDATE,
  type TestServer,
} from './harness.js';

describe('idempotent mutations over GraphQL', () => {
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

  it('retrying a registration with the same key returns the first result and records nothing', async () => {
    const input = aPublisher({ idempotencyKey: 'register-2026-11-22-0001' });
    const first = await server.gql(REGISTER, { input });
    const head = await server.ledger.events.headPosition();
    const retry = await server.gql(REGISTER, { input });
    expect(retry.errors).toBeUndefined();
    expect(retry.data).toEqual(first.data);
    expect(await server.ledger.events.headPosition()).toBe(head);
  });

  it('the same key with different input is BAD_USER_INPUT and records nothing', async () => {
    await server.gql(REGISTER, { input: aPublisher({ idempotencyKey: 'register-2026-11-22-0002' }) });
    const head = await server.ledger.events.headPosition();
    const other = await server.gql(REGISTER, {
      input: aPublisher({ idempotencyKey: 'register-2026-11-22-0002', companyName: 'Fabrikam' }),
    });
    expect(other.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
    expect(await server.ledger.events.headPosition()).toBe(head);
  });

  it('a retried update returns its first result even though its expected version is now stale', async () => {
    const created = await server.gql(REGISTER, { input: aPublisher() });
    const id = created.data!['registerPublisher'].publisher.id;
    const input = { id, expectedVersion: 1, contact: { name: 'Han Meimei' }, idempotencyKey: 'update-2026-11-22-0001' };
    const first = await server.gql(UPDATE, { input });
    const retry = await server.gql(UPDATE, { input });
    expect(retry.errors).toBeUndefined();
    expect(retry.data).toEqual(first.data);
    expect(retry.data!['updatePublisherContact']).toMatchObject({
      version: 2,
      publisher: { contact: { name: 'Han Meimei' } },
    });
    const stale = await server.gql(UPDATE, { input: { ...input, idempotencyKey: undefined } });
    expect(stale.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');
  });

  it('a retried grant request without startsAt (which defaults to now) returns its first grant and records nothing', async () => {
    const publisherId = (await server.gql(REGISTER, { input: aPublisher() })).data!['registerPublisher'].publisher.id;
    const input = {
      publisherId,
      categories: ['ADMINISTRATOR'],
      reason: 'the contact email bounces',
      ticket: 'INC-4',
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      idempotencyKey: 'grant-2026-12-07-0001',
    };
    const operator = { role: 'operator' as const, oid: '0d5e7a11-0000-4000-8000-0000000000c3' };
    const first = await server.gql(REQUEST_GRANT, { input }, operator);
    expect(first.errors).toBeUndefined();
    const head = await server.ledger.events.headPosition();
    await new Promise((resolve) => setTimeout(resolve, 5)); // a later "now"

    const retry = await server.gql(REQUEST_GRANT, { input }, operator);

    expect(retry.errors).toBeUndefined();
    expect(retry.data).toEqual(first.data);
    expect(await server.ledger.events.headPosition()).toBe(head);
  });

  it('concurrent retries of one registration record it once', async () => {
    const input = aPublisher({ idempotencyKey: 'register-2026-11-22-0003' });
    const results = await Promise.all(Array.from({ length: 5 }, () => server.gql(REGISTER, { input })));
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    expect(new Set(results.map((r) => r.data!['registerPublisher'].publisher.id)).size).toBe(1);
    // one claim of its registration code, one registration
    expect((await server.ledger.events.readAll()).map((event) => event.type)).toEqual([
      'RegistrationCodeClaimed',
      'PublisherRegistered',
    ]);
  });

  it('after the contact is erased, a retried update under its key is refused (its fingerprint is gone with the erasure), while a retried erasure still answers', async () => {
    const created = await server.gql(REGISTER, { input: aPublisher() });
    const id = created.data!['registerPublisher'].publisher.id;
    const input = {
      id,
      expectedVersion: 1,
      contact: { telephone: '+8613912345670' },
      idempotencyKey: 'update-2026-11-22-0002',
    };
    expect((await server.gql(UPDATE, { input })).errors).toBeUndefined();
    const ERASE = `mutation ($input: ErasePersonalDataInput!) { erasePersonalData(input: $input) { erasedCount position } }`;
    const erase = { publisherId: id, target: 'CONTACT', idempotencyKey: 'erase-2026-11-22-0001' };
    const erased = await server.gql(ERASE, { input: erase });
    expect(erased.errors).toBeUndefined();
    const head = await server.ledger.events.headPosition();
    const retry = await server.gql(UPDATE, { input });
    expect(retry.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
    expect(retry.errors?.[0]?.message).not.toContain('8613912345670');
    expect((await server.gql(ERASE, { input: erase })).data).toEqual(erased.data);
    expect(await server.ledger.events.headPosition()).toBe(head);
  });
});
