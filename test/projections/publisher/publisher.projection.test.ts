import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PUBLISHERS, publisherProjection } from '../../../src/projections/publisher/publisher.projection.js';
import { SqliteReadStore } from '../../../src/projections/store/sqlite/sqlite-read-store.js';
import { recorded, tempDir } from '../fixtures.js';

const id = '0190f5a2-7b3c-7d4e-8f60-123456789abc';
const sealed = (v: string) => ({ $pd: 1, s: `publisher/${id}/contact`, c: `sealed:${v}` });
const stream = `publisher-${id}`;

const history = recorded(stream, [
  {
    type: 'PublisherRegistered',
    data: {
      publisherId: id,
      companyName: 'Contoso China',
      registrationCode: '91350100M000100Y43',
      contact: { name: sealed('n'), telephone: sealed('t'), email: sealed('e') },
      contactPreferences: { aboutOffers: false, aboutFeedback: true, byEmail: true, byPhone: false },
      registeredAt: '2026-11-22T10:00:00.000Z',
    },
  },
  {
    type: 'ContactUpdated',
    data: { publisherId: id, contact: { email: sealed('e2') }, updatedAt: '2026-11-22T11:00:00.000Z' },
  },
  { type: 'ContactUpdated', data: { publisherId: id, companyName: 'Fabrikam', updatedAt: '2026-11-22T12:00:00.000Z' } },
]);

describe('publisher projection', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: SqliteReadStore;

  beforeEach(async () => {
    tmp = tempDir('pl-proj-');
    store = SqliteReadStore.open(path.join(tmp.dir, 'read.sqlite'));
    await store.ensureCollection(PUBLISHERS, publisherProjection.collections[0]!.indexes);
  });
  afterEach(async () => {
    await store.close();
    tmp.remove();
  });

  async function apply(events = history) {
    await store.write(await publisherProjection.project(events, store), {
      name: 'publishers',
      position: events.at(-1)!.position,
    });
  }

  it('given registration and two updates, the document holds the latest values, sealed, and the version', async () => {
    await apply();
    expect(await store.get(PUBLISHERS, id)).toEqual({
      id,
      companyName: 'Fabrikam',
      registrationCode: '91350100M000100Y43',
      registrationStatus: 'PENDING',
      rejectionReason: null,
      contactPreferences: { aboutOffers: false, aboutFeedback: true, byEmail: true, byPhone: false },
      contact: { name: sealed('n'), telephone: sealed('t'), email: sealed('e2') },
      aadUsers: [],
      // the aggregate's own state, its erasure bookkeeping included
      erasure: { accountIds: [], erasedAccountIds: [], contactErased: false },
      version: 3,
      registeredAt: '2026-11-22T10:00:00.000Z',
      updatedAt: '2026-11-22T12:00:00.000Z',
      _position: 3,
    });
  });

  it('replaying the same events twice changes nothing', async () => {
    await apply();
    const once = await store.get(PUBLISHERS, id);
    const ops = await publisherProjection.project(history, store);
    expect(ops).toEqual([]);
    await apply();
    expect(await store.get(PUBLISHERS, id)).toEqual(once);
  });

  it('events applied one batch at a time give the same document as one batch', async () => {
    for (const event of history) await apply([event]);
    const stepwise = await store.get(PUBLISHERS, id);
    await store.reset('publishers', [PUBLISHERS]);
    await store.ensureCollection(PUBLISHERS);
    await apply();
    expect(await store.get(PUBLISHERS, id)).toEqual(stepwise);
  });

  it('an update for a publisher it never saw registered creates nothing', async () => {
    await apply(history.slice(1));
    expect(await store.get(PUBLISHERS, id)).toBeNull();
  });

  it('a rejection, an approval and new preferences show in the document', async () => {
    const review = recorded(
      stream,
      [
        {
          type: 'PublisherRejected',
          data: { publisherId: id, reason: 'unknown code', rejectedAt: '2026-11-23T10:00:00.000Z' },
        },
        {
          type: 'ContactPreferencesChanged',
          data: {
            publisherId: id,
            contactPreferences: { aboutOffers: true, aboutFeedback: true, byEmail: false, byPhone: true },
            changedAt: '2026-11-23T11:00:00.000Z',
          },
        },
      ],
      4,
      3,
    );
    await apply([...history, ...review]);
    expect(await store.get(PUBLISHERS, id)).toMatchObject({
      registrationStatus: 'REJECTED',
      rejectionReason: 'unknown code',
      contactPreferences: { aboutOffers: true, aboutFeedback: true, byEmail: false, byPhone: true },
      version: 5,
      updatedAt: '2026-11-23T11:00:00.000Z',
    });
    const approval = recorded(
      stream,
      [{ type: 'PublisherApproved', data: { publisherId: id, approvedAt: '2026-11-24T10:00:00.000Z' } }],
      6,
      5,
    );
    await apply(approval);
    expect(await store.get(PUBLISHERS, id)).toMatchObject({
      registrationStatus: 'APPROVED',
      rejectionReason: null,
      version: 6,
    });
  });

  it('AAD accounts are added with their values sealed and removed by account id', async () => {
    const user = (accountId: string) => ({
      accountId,
      objectId: sealed(`o-${accountId}`),
      userPrincipalName: sealed('u'),
      displayName: sealed('d'),
      addedAt: '2026-11-23T10:00:00.000Z',
      addedBy: 'op',
    });
    const accounts = recorded(
      stream,
      [
        { type: 'AadUserAdded', data: { publisherId: id, user: user('a1') } },
        { type: 'AadUserAdded', data: { publisherId: id, user: user('a2') } },
        { type: 'AadUserRemoved', data: { publisherId: id, accountId: 'a1', removedAt: '2026-11-23T12:00:00.000Z' } },
      ],
      4,
      3,
    );
    await apply([...history, ...accounts]);
    expect(await store.get(PUBLISHERS, id)).toMatchObject({
      aadUsers: [user('a2')],
      version: 6,
      updatedAt: '2026-11-23T12:00:00.000Z',
    });
  });

  it('events of other streams are ignored', async () => {
    const other = recorded('offer-1', [{ type: 'OfferCreated', data: { offerId: '1', publisherId: id } }], 10);
    expect(await publisherProjection.project(other, store)).toEqual([]);
  });
});
