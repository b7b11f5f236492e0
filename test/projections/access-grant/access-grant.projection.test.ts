import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../src/events/store/event-envelope.js';
import { accessGrantProjection } from '../../../src/projections/access-grant/access-grant.projection.js';
import { AccessGrantQueries } from '../../../src/projections/access-grant/access-grant.queries.js';
import { SqliteReadStore } from '../../../src/projections/store/sqlite/sqlite-read-store.js';
import { recorded, tempDir } from '../fixtures.js';

const p1 = '0190f5a2-7b3c-7d4e-8f60-000000000001';
const terms = {
  publisherId: p1,
  categories: ['administrator'],
  reason: 'email bounces',
  ticket: 'INC-1',
  grantee: 'actor-a',
  emergency: false,
  needsApproval: true,
};

function log(): RecordedEvent[] {
  return recorded(`access-grants-${p1}`, [
    {
      type: 'AccessGrantRequested',
      data: {
        ...terms,
        grantId: 'g1',
        startsAt: '2026-11-22T10:00:00.000Z',
        endsAt: '2026-11-22T12:00:00.000Z',
        requestedAt: '2026-11-22T10:00:00.000Z',
      },
    },
    {
      type: 'AccessGrantApproved',
      data: { grantId: 'g1', publisherId: p1, approvedBy: 'actor-b', approvedAt: '2026-11-22T10:01:00.000Z' },
    },
    {
      type: 'AccessGrantUsed',
      data: {
        grantId: 'g1',
        publisherId: p1,
        target: 'contact',
        category: 'administrator',
        emergency: false,
        usedAt: '2026-11-22T10:02:00.000Z',
      },
    },
    {
      type: 'AccessGrantRequested',
      data: {
        ...terms,
        grantId: 'g2',
        offerId: 'o1',
        emergency: true,
        needsApproval: false,
        startsAt: '2026-11-22T11:00:00.000Z',
        endsAt: '2026-11-22T11:30:00.000Z',
        requestedAt: '2026-11-22T11:00:00.000Z',
      },
    },
    {
      type: 'AccessGrantRevoked',
      data: {
        grantId: 'g2',
        publisherId: p1,
        revokedBy: 'actor-a',
        revokedAt: '2026-11-22T11:05:00.000Z',
        reason: 'resolved',
      },
    },
  ]);
}

describe('access grant projection', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: SqliteReadStore;
  let now = '2026-11-22T11:10:00.000Z';
  const queries = () => new AccessGrantQueries(store, { now: () => new Date(now) });
  beforeEach(async () => {
    tmp = tempDir('pl-grants-');
    store = SqliteReadStore.open(path.join(tmp.dir, 'read.sqlite'));
    for (const c of accessGrantProjection.collections) await store.ensureCollection(c.name, c.indexes);
  });
  afterEach(async () => {
    await store.close();
    tmp.remove();
  });
  const apply = async (events: RecordedEvent[], size = events.length) => {
    for (let i = 0; i < events.length; i += size) {
      const batch = events.slice(i, i + size);
      await store.write(await accessGrantProjection.project(batch, store), {
        name: accessGrantProjection.name,
        position: batch.at(-1)!.position,
      });
    }
  };

  it('given grants, an approval, a read and a revocation, then each grant with its reads, newest first, its status at the instant asked', async () => {
    await apply(log());
    const page = await queries().forPublisher(p1, 10);
    expect(page.totalCount).toBe(2);
    expect(
      page.items.map((grant) => [grant.id, grant.status, grant.offerId, grant.emergency, grant.revokeReason]),
    ).toEqual([
      ['g2', 'REVOKED', 'o1', true, 'resolved'],
      ['g1', 'ACTIVE', null, false, null],
    ]);
    expect(page.items[1]).toMatchObject({
      approvedBy: 'actor-b',
      accesses: [{ target: 'contact', category: 'administrator', at: '2026-11-22T10:02:00.000Z' }],
    });
    now = '2026-11-22T12:00:00.000Z';
    expect((await queries().forPublisher(p1, 10)).items[1]!.status).toBe('EXPIRED');
  });

  it('replaying the log twice, in other batches, records each read once', async () => {
    await apply(log());
    const once = await queries().forPublisher(p1, 10);
    await apply(log(), 1);
    await apply(log(), 2);
    expect(await queries().forPublisher(p1, 10)).toEqual(once);
  });
});
