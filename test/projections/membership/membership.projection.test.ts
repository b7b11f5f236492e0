import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MEMBERSHIPS, membershipProjection } from '../../../src/projections/membership/membership.projection.js';
import { MembershipQueries } from '../../../src/projections/membership/membership.queries.js';
import { SqliteReadStore } from '../../../src/projections/store/sqlite/sqlite-read-store.js';
import { recorded, tempDir } from '../fixtures.js';

const publisherId = '0190f5a2-7b3c-7d4e-8f60-123456789abc';
const sealed = (v: string) => ({ $pd: 1, s: 'subject', c: `sealed:${v}` });
const account = (accountId: string, objectIdIndex?: string) => ({
  accountId, objectId: sealed(accountId), userPrincipalName: sealed('u'), displayName: sealed('d'), addedAt: '2026-11-22T10:00:00.000Z', addedBy: 'x',
  ...(objectIdIndex ? { objectIdIndex } : {}),
});

const history = recorded(`publisher-${publisherId}`, [
  { type: 'PublisherRegistered', data: { publisherId, companyName: 'Contoso China', firstUser: account('a1', 'idx-1') } },
  { type: 'AadUserAdded', data: { publisherId, user: account('a2', 'idx-2') } },
  { type: 'AadUserAdded', data: { publisherId, user: account('a3') } },
  { type: 'AadUserRemoved', data: { publisherId, accountId: 'a1', removedAt: '2026-11-22T11:00:00.000Z' } },
]);

describe('membership projection (the blind index of AAD accounts)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: SqliteReadStore;
  beforeEach(async () => {
    tmp = tempDir('pl-members-');
    store = SqliteReadStore.open(path.join(tmp.dir, 'read.sqlite'));
    await store.ensureCollection(MEMBERSHIPS, membershipProjection.collections[0]!.indexes);
  });
  afterEach(async () => {
    await store.close();
    tmp.remove();
  });
  const apply = async (events = history) =>
    store.write(await membershipProjection.project(events, store), { name: 'memberships', position: events.at(-1)!.position });

  it('given a registration, two additions and a removal, the remaining indexed accounts lead to the publisher', async () => {
    await apply();
    const queries = new MembershipQueries(store);
    expect(await queries.publisherIds('idx-2')).toEqual([publisherId]);
    expect(await queries.publisherIds('idx-1')).toEqual([]);
    // an account recorded before blind indexes existed cannot be found (nor does it grant anything: access reads the stream)
    expect(await store.count(MEMBERSHIPS)).toBe(1);
  });

  it('replaying the same events twice leaves the same documents', async () => {
    await apply();
    const once = (await store.find(MEMBERSHIPS, {})).items;
    // a removed account has no document left to remember its position, so a replay deletes it again: a no-op
    expect((await membershipProjection.project(history, store)).every((op) => op.kind === 'delete')).toBe(true);
    await apply();
    expect((await store.find(MEMBERSHIPS, {})).items).toEqual(once);
  });
});
