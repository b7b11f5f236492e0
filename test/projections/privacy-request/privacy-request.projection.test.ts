import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PRIVACY_REQUESTS, privacyRequestProjection } from '../../../src/projections/privacy-request/privacy-request.projection.js';
import { SqliteReadStore } from '../../../src/projections/sqlite/sqlite-read-store.js';
import { recorded, tempDir } from '../fixtures.js';

const id = '0190f5a2-7b3c-7d4e-8f60-123456789abc';
const changes = recorded(`publisher-${id}`, [
  { type: 'PublisherRegistered', data: { publisherId: id } },
  { type: 'ContactUpdated', data: { publisherId: id, contact: { email: { $pd: 1 } } } },
  { type: 'AadUserRemoved', data: { publisherId: id, accountId: 'a1' } },
  { type: 'PublisherApproved', data: { publisherId: id } },
]);

describe('privacy request records projection', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: SqliteReadStore;
  beforeEach(() => {
    tmp = tempDir('pl-prr-');
    store = SqliteReadStore.open(path.join(tmp.dir, 'read.sqlite'));
  });
  afterEach(async () => {
    await store.close();
    tmp.remove();
  });

  const apply = async (events = changes) =>
    store.write(await privacyRequestProjection.project(events, store), { name: 'privacy-requests', position: events.at(-1)!.position });
  const ids = async () => (await store.find(PRIVACY_REQUESTS, { sort: [{ field: 'requestedAt' }] })).items.map((d) => [d['kind'], d['target']]);

  it('given an edit and a deletion of personal data, then one record each; registration and review are not requests', async () => {
    await apply();
    expect(await ids()).toEqual([['EDIT', 'contact'], ['DELETION', 'aadUsers']]);
    expect(await store.get(PRIVACY_REQUESTS, changes[1]!.eventId)).toMatchObject({
      publisherId: id,
      requestedBy: 'tester',
      requestedAt: changes[1]!.occurredAt,
      outcome: 'COMPLETED',
    });
  });

  it('replaying the same events twice changes nothing', async () => {
    await apply();
    const before = await store.find(PRIVACY_REQUESTS);
    await apply();
    expect(await store.find(PRIVACY_REQUESTS)).toEqual(before);
  });

  it('a deletion event leaves only a tombstone of its record: whose it was, nothing of the request', async () => {
    await apply();
    const deletion = recorded(`privacy-requests-${id}`, [{ type: 'PrivacyRequestRecordDeleted', data: { publisherId: id, recordId: changes[1]!.eventId } }], 5);
    await apply(deletion);
    expect(await store.get(PRIVACY_REQUESTS, changes[1]!.eventId)).toEqual({ id: changes[1]!.eventId, publisherId: id, deleted: true, _position: 5 });
    expect(await ids()).toEqual([[undefined, undefined], ['DELETION', 'aadUsers']]);
  });

  it('a recorded read becomes a record at the instant of the read, with its kind and target', async () => {
    const read = recorded(`privacy-requests-${id}`, [
      { type: 'PrivacyRequestRecorded', data: { publisherId: id, kind: 'VIEW', target: 'contact', requestedAt: '2026-11-22T09:59:58.000Z' } },
    ], 5);
    await apply(read);
    await apply(read);
    expect(await store.get(PRIVACY_REQUESTS, read[0]!.eventId)).toMatchObject({
      publisherId: id,
      kind: 'VIEW',
      target: 'contact',
      requestedBy: 'tester',
      requestedAt: '2026-11-22T09:59:58.000Z',
    });
    expect(await store.count(PRIVACY_REQUESTS)).toBe(1);
  });
});
