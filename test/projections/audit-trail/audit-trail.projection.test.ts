import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../src/events/store/event-envelope.js';
import {
  AUDIT_TRAIL,
  auditProjection,
  type AuditEntry,
} from '../../../src/projections/audit-trail/audit-trail.projection.js';
import { AuditQueries, type AuditFilter } from '../../../src/projections/audit-trail/audit-trail.queries.js';
import { ensureCollections } from '../../../src/projections/runner/replay.js';
import type { Filter } from '../../../src/projections/store/read-store.js';
import { SqliteReadStore } from '../../../src/projections/store/sqlite/sqlite-read-store.js';
import { recorded, tempDir } from '../fixtures.js';

const p1 = 'pub-1';
const p2 = 'pub-2';
const sealed = (v: string) => ({ $pd: 1, s: `publisher/${p1}/contact`, k: 'k1', c: `sealed:${v}` });
const by = (id: string, role?: string) => ({
  actor: { id, kind: 'user' as const, ...(role ? { role } : {}) },
  correlationId: 'c',
  clientIp: sealed('ip'),
});

/** Events of two publishers and an offer, interleaved in the log, an hour apart. */
function log(): RecordedEvent[] {
  const events = [
    ...recorded(`publisher-${p1}`, [
      {
        type: 'PublisherRegistered',
        data: {
          publisherId: p1,
          companyName: 'Contoso',
          contact: { name: sealed('n'), email: sealed('e') },
          registeredAt: 't',
        },
      },
    ]),
    ...recorded(
      `publisher-${p2}`,
      [{ type: 'PublisherRegistered', data: { publisherId: p2, companyName: 'Fabrikam', registeredAt: 't' } }],
      2,
    ),
    ...recorded(
      `publisher-${p1}`,
      [{ type: 'ContactUpdated', data: { publisherId: p1, contact: { email: sealed('e2') }, updatedAt: 't' } }],
      3,
      1,
    ),
    ...recorded(
      'offer-o1',
      [
        {
          type: 'OfferCreated',
          data: { offerId: 'o1', publisherId: p1, name: 'VM', kind: 'VIRTUAL_MACHINE', createdAt: 't' },
        },
        {
          type: 'OfferCustomerServiceUpdated',
          data: {
            offerId: 'o1',
            publisherId: p1,
            supportContacts: [{ email: sealed('s1') }, { qq: sealed('s2'), email: sealed('s3') }],
            updatedAt: 't',
          },
        },
      ],
      4,
    ),
  ];
  const actors = [
    by('alice', 'publisher'),
    by('ops', 'operator'),
    by('alice', 'publisher'),
    by('bob'),
    by('alice', 'publisher'),
  ];
  return events.map((event, i) => ({
    ...event,
    occurredAt: new Date(Date.UTC(2026, 10, 22, 10 + i)).toISOString(),
    metadata: actors[i]!,
  }));
}

describe('audit projection', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: SqliteReadStore;
  let queries: AuditQueries;

  beforeEach(async () => {
    tmp = tempDir('pl-audit-');
    store = SqliteReadStore.open(path.join(tmp.dir, 'read.sqlite'));
    await ensureCollections(store, auditProjection);
    queries = new AuditQueries(store, { filterIds: async (id) => [id] });
  });
  afterEach(async () => {
    await store.close();
    tmp.remove();
  });

  async function apply(events: RecordedEvent[]) {
    await store.write(await auditProjection.project(events), {
      name: 'audit',
      position: events.at(-1)!.position,
    });
  }
  const positions = async (filter: AuditFilter, first = 10) =>
    (await queries.page(filter, first)).items.map((e) => e.position);

  it('given the log, then one entry per event naming fields without values or client details, and replaying it twice changes nothing', async () => {
    await apply(log());
    const once = await store.find<AuditEntry>(AUDIT_TRAIL, { first: 100 });
    await apply(log());
    await apply(log().slice(2));
    const twice = await store.find<AuditEntry>(AUDIT_TRAIL, { first: 100 });
    expect(twice.items).toEqual(once.items);
    expect(once.items).toHaveLength(5);
    expect(await store.get(AUDIT_TRAIL, `offer-o1-1`)).toEqual({
      id: 'offer-o1-1',
      position: 5,
      streamId: 'offer-o1',
      revision: 1,
      type: 'OfferCustomerServiceUpdated',
      occurredAt: '2026-11-22T14:00:00.000Z',
      actor: { id: 'alice', kind: 'user', role: 'publisher' },
      publisherId: p1,
      offerId: 'o1',
      changedFields: ['supportContacts.0.email', 'supportContacts.1.qq', 'supportContacts.1.email'],
    });
    expect(await store.get(AUDIT_TRAIL, `publisher-${p1}-0`)).toMatchObject({
      // named as history names the record's fields: a registration sets each field it records
      changedFields: ['id', 'companyName', 'contact.name', 'contact.email', 'registrationStatus', 'registeredAt'],
      offerId: null,
    });
    expect(JSON.stringify(once.items)).not.toContain('sealed:');
    expect(JSON.stringify(once.items)).not.toContain('$pd');
  });

  it('lists newest first and filters by actor, publisher, event types and time range, alone or together', async () => {
    await apply(log());
    expect(await positions({})).toEqual([5, 4, 3, 2, 1]);
    expect(await positions({ actorId: 'alice' })).toEqual([5, 3, 1]);
    expect(await positions({ publisherId: p2 })).toEqual([2]);
    expect(await positions({ eventTypes: ['PublisherRegistered'] })).toEqual([2, 1]);
    expect(await positions({ eventTypes: ['ContactUpdated', 'OfferCreated'] })).toEqual([4, 3]);
    expect(await positions({ from: '2026-11-22T11:00:00Z', to: '2026-11-22T13:00:00Z' })).toEqual([3, 2]);
    expect(await positions({ from: '2026-11-22T21:00:00+08:00' })).toEqual([5, 4]);
    expect(await positions({ actorId: 'alice', publisherId: p1, to: '2026-11-22T14:00:00.000Z' })).toEqual([3, 1]);
  });

  it('pages continue from the previous page without repeats or gaps', async () => {
    await apply(log());
    const first = await queries.page({ actorId: 'alice' }, 2);
    expect(first.items.map((e) => e.position)).toEqual([5, 3]);
    expect(first.hasNextPage).toBe(true);
    const second = await queries.page({ actorId: 'alice' }, 2, first.endCursor);
    expect(second.items.map((e) => e.position)).toEqual([1]);
    expect(second.hasNextPage).toBe(false);
  });

  it('several event types are merged newest first, and their pages continue like any other', async () => {
    await apply(log());
    const types = ['PublisherRegistered', 'OfferCustomerServiceUpdated', 'ContactUpdated'];
    const one = await queries.page({ eventTypes: types }, 2);
    expect(one.items.map((e) => e.position)).toEqual([5, 3]);
    expect(one.hasNextPage).toBe(true);
    const two = await queries.page({ eventTypes: types }, 2, one.endCursor);
    expect(two.items.map((e) => e.position)).toEqual([2, 1]);
    expect(two.hasNextPage).toBe(false);
    const again = await queries.page({ eventTypes: types }, 2, one.cursors[0]);
    expect(again.items.map((e) => e.position)).toEqual([3, 2]);
  });

  it('every supported filter shape reads an index in order, never the whole table, never a sort', async () => {
    const shapes: Filter[] = [
      {},
      { 'actor.id': 'a' },
      { publisherId: 'p' },
      { type: 'T' },
      { 'actor.id': 'a', occurredAt: { gte: 'x', lt: 'y' } },
      { occurredAt: { lt: 'y' } },
    ];
    for (const filter of shapes) {
      const plan = store.explainFind(AUDIT_TRAIL, {
        filter,
        sort: [
          { field: 'occurredAt', direction: 'desc' },
          { field: 'position', direction: 'desc' },
        ],
      });
      expect(plan.join(' | '), JSON.stringify(filter)).toMatch(/USING (COVERING )?INDEX doc_audit_trail__/);
      expect(plan.join(' | ')).not.toMatch(/TEMP B-TREE/);
    }
  });

  it('refuses a bad filter naming the field', async () => {
    await expect(queries.page({ from: 'yesterday' }, 10)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'from',
    });
    await expect(queries.page({ from: '2026-11-22T12:00:00Z', to: '2026-11-22T11:00:00Z' }, 10)).rejects.toMatchObject({
      field: 'to',
    });
    await expect(queries.page({ eventTypes: [] }, 10)).rejects.toMatchObject({ field: 'eventTypes' });
    await expect(queries.page({ eventTypes: ["x' OR 1=1"] }, 10)).rejects.toMatchObject({ field: 'eventTypes' });
    // a misspelt type would match nothing: refused, as the GraphQL enum refuses it
    await expect(queries.page({ eventTypes: ['ContactUpdatd'] }, 10)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'eventTypes',
    });
  });
});
