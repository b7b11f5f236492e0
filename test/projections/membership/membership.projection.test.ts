import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MEMBERSHIPS,
  membershipProjection as projectionOf,
} from '../../../src/projections/membership/membership.projection.js';
import { MembershipQueries } from '../../../src/projections/membership/membership.queries.js';
import { SqliteReadStore } from '../../../src/projections/store/sqlite/sqlite-read-store.js';
import { recorded, tempDir } from '../fixtures.js';

const publisherId = '0190f5a2-7b3c-7d4e-8f60-123456789abc';
const sealed = (v: string) => ({ $pd: 1, s: 'subject', c: `sealed:${v}` });
const account = (accountId: string) => ({
  accountId,
  objectId: sealed(accountId),
  userPrincipalName: sealed('u'),
  displayName: sealed('d'),
  addedAt: '2026-11-22T10:00:00.000Z',
  addedBy: 'x',
});
/** What opening the object ids gives: an index per account, none for one whose key is gone (a3). */
const indexes = {
  memberIndexesOf: async (objectIds: readonly unknown[]) =>
    objectIds.map((o) => {
      const c = (o as { c: string }).c;
      return c === 'sealed:a3' ? null : `idx-${c.slice(-1)}`;
    }),
};
const membershipProjection = projectionOf(indexes);
const erased = (accountId: string) => ({
  type: 'PersonalDataErased',
  data: {
    publisherId,
    subject: { kind: 'aadAccount', accountId },
    scope: 'subject',
    erasedAt: '2026-11-22T12:00:00.000Z',
  },
});

const history = recorded(`publisher-${publisherId}`, [
  { type: 'PublisherRegistered', data: { publisherId, companyName: 'Contoso China', firstUser: account('a1') } },
  { type: 'AadUserAdded', data: { publisherId, user: account('a2') } },
  { type: 'AadUserAdded', data: { publisherId, user: account('a3') } },
  { type: 'AadUserAdded', data: { publisherId, user: account('a4') } },
  { type: 'AadUserRemoved', data: { publisherId, accountId: 'a1', removedAt: '2026-11-22T11:00:00.000Z' } },
  { type: 'AadUserRemoved', data: { publisherId, accountId: 'a4', removedAt: '2026-11-22T11:00:00.000Z' } },
  erased('a4'),
]);

describe('membership projection (accounts by the index of their opened object id)', () => {
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
    store.write(await membershipProjection.project(events, store), {
      name: 'memberships',
      position: events.at(-1)!.position,
    });

  it('listed accounts lead to the publisher; a removed one only to its account id; an erased one (or one whose object id no longer opens) to nothing', async () => {
    await apply();
    const queries = new MembershipQueries(store);
    expect(await queries.publisherIds('idx-2')).toEqual([publisherId]);
    expect(await queries.publisherIds('idx-1')).toEqual([]);
    expect(await queries.accountIds('idx-1')).toEqual(['a1']);
    expect(await queries.accountIds('idx-4')).toEqual([]);
    expect(await store.count(MEMBERSHIPS)).toBe(2);
    const stored = JSON.stringify((await store.find(MEMBERSHIPS, {})).items);
    expect(stored).not.toContain('a4');
  });

  it('replaying the same events twice leaves the same documents', async () => {
    await apply();
    const once = (await store.find(MEMBERSHIPS, {})).items;
    await apply();
    expect((await store.find(MEMBERSHIPS, {})).items).toEqual(once);
  });
});
