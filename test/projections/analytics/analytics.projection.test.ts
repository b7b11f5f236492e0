import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../src/events/store/event-envelope.js';
import { analyticsProjection } from '../../../src/projections/analytics/analytics.projection.js';
import { AnalyticsQueries } from '../../../src/projections/analytics/analytics.queries.js';
import { SqliteReadStore } from '../../../src/projections/store/sqlite/sqlite-read-store.js';
import { recorded, tempDir } from '../fixtures.js';

const p1 = '0190f5a2-7b3c-7d4e-8f60-000000000001';
const p2 = '0190f5a2-7b3c-7d4e-8f60-000000000002';
const o1 = '0190f5a2-7b3c-7d4e-8f60-0000000000a1';
const o2 = '0190f5a2-7b3c-7d4e-8f60-0000000000a2';
const sealed = { $pd: 1, s: 'x', k: 'k', c: 'c' };

/** The events of the log, positions in order, on two days. */
function log(): RecordedEvent[] {
  const onDay = (day: string, events: RecordedEvent[]) =>
    events.map((e) => ({ ...e, occurredAt: `${day}T08:00:00.000Z` }));
  return [
    ...onDay(
      '2026-11-20',
      recorded(
        `publisher-${p1}`,
        [
          { type: 'PublisherRegistered', data: { publisherId: p1, contact: { email: sealed } } },
          { type: 'PublisherApproved', data: { publisherId: p1 } },
        ],
        1,
      ),
    ),
    ...onDay(
      '2026-11-20',
      recorded(`publisher-${p2}`, [{ type: 'PublisherRegistered', data: { publisherId: p2 } }], 3),
    ),
    ...onDay(
      '2026-11-22',
      recorded(
        `offer-${o1}`,
        [
          { type: 'OfferCreated', data: { offerId: o1, publisherId: p1, kind: 'VIRTUAL_MACHINE' } },
          { type: 'OfferCustomerServiceUpdated', data: { offerId: o1, supportContacts: [{ email: sealed }] } },
          { type: 'OfferPublished', data: { offerId: o1 } },
        ],
        4,
      ),
    ),
    ...onDay(
      '2026-11-22',
      recorded(
        `offer-${o2}`,
        [
          { type: 'OfferCreated', data: { offerId: o2, publisherId: p1, kind: 'VIRTUAL_MACHINE' } },
          { type: 'OfferDeleted', data: { offerId: o2 } },
        ],
        7,
      ),
    ),
    ...onDay(
      '2026-11-22',
      recorded(
        `publisher-${p1}`,
        [{ type: 'PersonalDataErased', data: { publisherId: p1, subject: { kind: 'contact' }, scope: 'subject' } }],
        9,
        2,
      ),
    ),
    ...onDay(
      '2026-11-22',
      recorded(
        `privacy-requests-${p1}`,
        [{ type: 'PrivacyRequestRecorded', data: { publisherId: p1, kind: 'VIEW', target: 'contact' } }],
        10,
      ),
    ),
  ];
}

/** A disclosure (its recipient sealed) and two contact lists, after the log: counted per day, as nothing personal. */
function disclosuresAndLists(): RecordedEvent[] {
  const onDay = (day: string, events: RecordedEvent[]) =>
    events.map((e) => ({ ...e, occurredAt: `${day}T09:00:00.000Z` }));
  const list = (listId: string) => ({
    type: 'ContactListProduced',
    data: {
      listId,
      purpose: 'OFFERS',
      channel: 'EMAIL',
      preferencesApplied: true,
      publisherIds: [p1],
      publisherCount: 1,
    },
  });
  return [
    ...onDay(
      '2026-11-21',
      recorded(
        `disclosures-${p1}`,
        [
          {
            type: 'DisclosureRecorded',
            data: { publisherId: p1, disclosureId: 'd1', recipient: { name: sealed, country: 'CN' } },
          },
        ],
        11,
      ),
    ),
    ...onDay('2026-11-21', recorded('contact-list-l1', [list('l1')], 12)),
    ...onDay('2026-11-22', recorded('contact-list-l2', [list('l2')], 13)),
  ];
}

/** Two access grants, after the disclosures: one of them an emergency access; approvals, revocations and reads under them are not counted. */
function grants(): RecordedEvent[] {
  const onDay = (day: string, events: RecordedEvent[]) =>
    events.map((e) => ({ ...e, occurredAt: `${day}T10:00:00.000Z` }));
  return [
    ...onDay(
      '2026-11-22',
      recorded(
        `access-grants-${p1}`,
        [
          {
            type: 'AccessGrantRequested',
            data: { grantId: 'g1', publisherId: p1, emergency: false, reason: 'INC-1', grantee: 'actor-a' },
          },
          { type: 'AccessGrantApproved', data: { grantId: 'g1', publisherId: p1 } },
          { type: 'AccessGrantUsed', data: { grantId: 'g1', publisherId: p1, target: 'contact' } },
          {
            type: 'AccessGrantRequested',
            data: { grantId: 'g2', publisherId: p1, emergency: true, reason: 'INC-2', grantee: 'actor-a' },
          },
          { type: 'AccessGrantRevoked', data: { grantId: 'g2', publisherId: p1 } },
        ],
        20,
      ),
    ),
  ];
}

describe('analytics projections', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: SqliteReadStore;
  let queries: AnalyticsQueries;
  beforeEach(async () => {
    tmp = tempDir('pl-analytics-');
    store = SqliteReadStore.open(path.join(tmp.dir, 'read.sqlite'));
    for (const c of analyticsProjection.collections) await store.ensureCollection(c.name, c.indexes);
    queries = new AnalyticsQueries(store);
  });
  afterEach(async () => {
    await store.close();
    tmp.remove();
  });

  /** Projects in batches of `size` (the runner's batches differ from run to run). */
  const apply = async (events: RecordedEvent[], size = events.length) => {
    for (let i = 0; i < events.length; i += size) {
      const batch = events.slice(i, i + size);
      await store.write(await analyticsProjection.project(batch, store), {
        name: analyticsProjection.name,
        position: batch.at(-1)!.position,
      });
    }
  };
  const counts = async () => ({
    publishers: await queries.publishersByStatus(),
    offers: (await queries.offersByKindAndStatus()).filter((row) => row.count > 0),
    days: await queries.changesPerDay('2026-11-20', '2026-11-22'),
  });

  it('given registrations, reviews, offers, an erasure, a disclosure, contact lists and access grants, then the counts by status, kind and day', async () => {
    await apply([...log(), ...disclosuresAndLists(), ...grants()]);
    expect(await counts()).toEqual({
      publishers: [
        { status: 'PENDING', count: 1 },
        { status: 'APPROVED', count: 1 },
        { status: 'REJECTED', count: 0 },
        { status: 'CLOSED', count: 0 },
      ],
      offers: [
        { kind: 'VIRTUAL_MACHINE', status: 'PUBLISHED', count: 1 },
        { kind: 'VIRTUAL_MACHINE', status: 'DELETED', count: 1 },
      ],
      days: [
        {
          day: '2026-11-20',
          changes: 3,
          erasures: 0,
          disclosures: 0,
          contactLists: 0,
          accessGrants: 0,
          emergencyAccesses: 0,
        },
        {
          day: '2026-11-21',
          changes: 0,
          erasures: 0,
          disclosures: 1,
          contactLists: 1,
          accessGrants: 0,
          emergencyAccesses: 0,
        },
        {
          day: '2026-11-22',
          changes: 5,
          erasures: 1,
          disclosures: 0,
          contactLists: 1,
          accessGrants: 2,
          emergencyAccesses: 1,
        },
      ],
    });
  });

  it('closing an account counts the publisher as CLOSED and the offers it withdrew as DELETED', async () => {
    const closure = recorded(`publisher-${p1}`, [{ type: 'PublisherAccountClosed', data: { publisherId: p1 } }], 11, 3);
    const withdrawn = recorded(
      `offer-${o1}`,
      [
        {
          type: 'PersonalDataErased',
          data: { offerId: o1, publisherId: p1, subject: { kind: 'offerSupport' }, scope: 'account' },
        },
      ],
      12,
      3,
    );
    await apply([...log(), ...closure, ...withdrawn]);
    const { publishers, offers } = await counts();
    expect(publishers).toEqual([
      { status: 'PENDING', count: 1 },
      { status: 'APPROVED', count: 0 },
      { status: 'REJECTED', count: 0 },
      { status: 'CLOSED', count: 1 },
    ]);
    expect(offers).toEqual([{ kind: 'VIRTUAL_MACHINE', status: 'DELETED', count: 2 }]);
  });

  it('replaying the log twice, in other batches, gives the same counts', async () => {
    const all = [...log(), ...disclosuresAndLists(), ...grants()];
    await apply(all);
    const once = await counts();
    await apply(all, 1);
    await apply(all, 3);
    expect(await counts()).toEqual(once);
  });

  it('the analytics read models hold no personal value, sealed or not', async () => {
    await apply([...log(), ...disclosuresAndLists()]);
    for (const collection of analyticsProjection.collections) {
      const docs = (await store.find(collection.name, { first: 1000 })).items;
      expect(docs.length).toBeGreaterThan(0);
      expect(JSON.stringify(docs)).not.toContain('$pd');
    }
  });

  it('a day range is checked: calendar days, in order, at most 366', async () => {
    await expect(queries.changesPerDay('2026-11-31', '2026-12-01')).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'from',
    });
    await expect(queries.changesPerDay('2026-11-22', '2026-11-20')).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'to',
    });
    await expect(queries.changesPerDay('2025-01-01', '2026-11-20')).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'to',
    });
    expect(await queries.changesPerDay('2026-01-01', '2026-12-31')).toHaveLength(365);
  });
});
