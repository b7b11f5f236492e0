import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FieldChange } from '../../src/history/diff.js';
import type { HistoryEntry } from '../../src/history/history.js';
import { offerStream, type OfferEvent } from '../../src/events/offer/offer.events.js';
import { noContact, publisherStream, type PublisherEvent } from '../../src/events/publisher/publisher.events.js';
import { contactSubject, offerSupportSubject } from '../../src/privacy/data-subjects.js';
import { ERASED } from '../../src/privacy/personal-value.js';
import { auditFixture, registered, offerId, operator, publisherId } from './audit-fixture.js';

const t0 = '2026-11-22T10:00:00.000Z';
const account = {
  accountId: 'acc-1',
  objectId: '6f1c1c8e-1111-4a6b-9c1e-000000000001',
  userPrincipalName: 'li.lei@contoso.partner.onmschina.cn',
  displayName: 'Li Lei',
  addedAt: t0,
  addedBy: 'op-1',
};
const created: OfferEvent = {
  type: 'OfferCreated',
  data: { offerId, publisherId, name: 'Contoso VM', kind: 'VIRTUAL_MACHINE', createdAt: t0 },
};
const support = (email: string): OfferEvent => ({
  type: 'OfferCustomerServiceUpdated',
  data: { offerId, publisherId, supportContacts: [{ name: 'Han Meimei', email }, { qq: '55501234' }], updatedAt: t0 },
});

/** A change list as { field: [before, after] }, order aside. */
const byField = (changes: FieldChange[]) => Object.fromEntries(changes.map((c) => [c.field, [c.before, c.after]]));

describe('history', () => {
  let f: ReturnType<typeof auditFixture>;
  beforeEach(() => {
    f = auditFixture();
  });
  afterEach(() => f.close());

  const publisherHistory = async () => (await f.history.page({ kind: 'publisher', id: publisherId }, 100)).entries;
  const offerHistory = async () => (await f.history.page({ kind: 'offer', id: offerId }, 100)).entries;
  const lastOf = (entries: HistoryEntry[]) => entries.at(-1)!;

  it('PublisherRegistered: every field goes from nothing to its value, with who and when', async () => {
    f.at(t0);
    await f.append(publisherStream(publisherId), [registered]);
    const [entry] = await publisherHistory();
    expect(entry).toMatchObject({
      revision: 0,
      position: 1,
      type: 'PublisherRegistered',
      occurredAt: t0,
      actor: operator,
      schemaVersion: 1,
    });
    expect(byField(entry!.changes)).toEqual({
      id: [null, publisherId],
      companyName: [null, 'Contoso China'],
      registrationCode: [null, '91350100M000100Y43'],
      'contact.name': [null, 'Li Lei'],
      'contact.telephone': [null, '+8613800138000'],
      'contact.email': [null, 'li.lei@contoso.cn'],
      'contactPreferences.aboutOffers': [null, false],
      'contactPreferences.aboutFeedback': [null, false],
      'contactPreferences.byEmail': [null, false],
      'contactPreferences.byPhone': [null, false],
      registrationStatus: [null, 'PENDING'],
      registeredAt: [null, t0],
    });
  });

  it('ContactUpdated: only the changed fields, before and after', async () => {
    await f.append(publisherStream(publisherId), [registered]);
    f.at('2026-11-22T11:00:00.000Z');
    await f.append(publisherStream(publisherId), [
      {
        type: 'ContactUpdated',
        data: {
          publisherId,
          companyName: 'Contoso (China)',
          contact: { email: 'han@contoso.cn' },
          updatedAt: '2026-11-22T11:00:00.000Z',
        },
      },
    ]);
    const entry = lastOf(await publisherHistory());
    expect(entry).toMatchObject({ revision: 1, type: 'ContactUpdated', occurredAt: '2026-11-22T11:00:00.000Z' });
    expect(byField(entry.changes)).toEqual({
      companyName: ['Contoso China', 'Contoso (China)'],
      'contact.email': ['li.lei@contoso.cn', 'han@contoso.cn'],
    });
  });

  it('ContactPreferencesChanged: the preferences that flipped', async () => {
    await f.append(publisherStream(publisherId), [
      registered,
      {
        type: 'ContactPreferencesChanged',
        data: { publisherId, contactPreferences: { ...noContact, aboutOffers: true, byEmail: true }, changedAt: t0 },
      },
    ]);
    expect(byField(lastOf(await publisherHistory()).changes)).toEqual({
      'contactPreferences.aboutOffers': [false, true],
      'contactPreferences.byEmail': [false, true],
    });
  });

  it('PublisherApproved: the registration status', async () => {
    await f.append(publisherStream(publisherId), [
      registered,
      { type: 'PublisherApproved', data: { publisherId, approvedAt: t0 } },
    ]);
    expect(byField(lastOf(await publisherHistory()).changes)).toEqual({ registrationStatus: ['PENDING', 'APPROVED'] });
  });

  it('PublisherRejected: status and reason; approving on review clears the reason', async () => {
    await f.append(publisherStream(publisherId), [
      registered,
      { type: 'PublisherRejected', data: { publisherId, reason: 'licence unreadable', rejectedAt: t0 } },
      { type: 'PublisherApproved', data: { publisherId, approvedAt: t0 } },
    ]);
    const [, rejected, approved] = await publisherHistory();
    expect(byField(rejected!.changes)).toEqual({
      registrationStatus: ['PENDING', 'REJECTED'],
      rejectionReason: [null, 'licence unreadable'],
    });
    expect(byField(approved!.changes)).toEqual({
      registrationStatus: ['REJECTED', 'APPROVED'],
      rejectionReason: ['licence unreadable', null],
    });
  });

  const accountFields = {
    'aadUsers.acc-1.accountId': 'acc-1',
    'aadUsers.acc-1.objectId': account.objectId,
    'aadUsers.acc-1.userPrincipalName': account.userPrincipalName,
    'aadUsers.acc-1.displayName': 'Li Lei',
    'aadUsers.acc-1.addedAt': t0,
    'aadUsers.acc-1.addedBy': 'op-1',
  };

  it('AadUserAdded: the account’s fields appear, keyed by account id', async () => {
    await f.append(publisherStream(publisherId), [
      registered,
      { type: 'AadUserAdded', data: { publisherId, user: account } },
    ]);
    expect(byField(lastOf(await publisherHistory()).changes)).toEqual(
      Object.fromEntries(Object.entries(accountFields).map(([field, value]) => [field, [null, value]])),
    );
  });

  it('AadUserRemoved: that account’s fields go, the others stay', async () => {
    const other = { ...account, accountId: 'acc-2', displayName: 'Han Meimei' };
    await f.append(publisherStream(publisherId), [
      registered,
      { type: 'AadUserAdded', data: { publisherId, user: account } },
      { type: 'AadUserAdded', data: { publisherId, user: other } },
      { type: 'AadUserRemoved', data: { publisherId, accountId: 'acc-1', removedAt: t0 } },
    ]);
    expect(byField(lastOf(await publisherHistory()).changes)).toEqual(
      Object.fromEntries(Object.entries(accountFields).map(([field, value]) => [field, [value, null]])),
    );
  });

  it('OfferCreated: the offer’s fields appear', async () => {
    await f.append(offerStream(offerId), [created]);
    expect(byField((await offerHistory())[0]!.changes)).toEqual({
      status: [null, 'DRAFT'],
      id: [null, offerId],
      publisherId: [null, publisherId],
      name: [null, 'Contoso VM'],
      kind: [null, 'VIRTUAL_MACHINE'],
      createdAt: [null, t0],
    });
  });

  it('OfferCustomerServiceUpdated: changed contacts only; the same list re-sealed is no change', async () => {
    await f.append(offerStream(offerId), [
      created,
      support('han@contoso.cn'),
      support('support@contoso.cn'),
      support('support@contoso.cn'),
    ]);
    const [, first, second, same] = await offerHistory();
    expect(byField(first!.changes)).toEqual({
      'supportContacts.0.name': [null, 'Han Meimei'],
      'supportContacts.0.email': [null, 'han@contoso.cn'],
      'supportContacts.1.qq': [null, '55501234'],
    });
    expect(byField(second!.changes)).toEqual({ 'supportContacts.0.email': ['han@contoso.cn', 'support@contoso.cn'] });
    expect(same!.changes).toEqual([]);
  });

  it('OfferPublished: status and publication instant', async () => {
    await f.append(offerStream(offerId), [
      created,
      support('han@contoso.cn'),
      { type: 'OfferPublished', data: { offerId, publisherId, publishedAt: '2026-11-23T00:00:00.000Z' } },
    ]);
    expect(byField(lastOf(await offerHistory()).changes)).toEqual({
      status: ['DRAFT', 'PUBLISHED'],
      publishedAt: [null, '2026-11-23T00:00:00.000Z'],
    });
  });

  it('OfferDeleted: the offer’s details go, and the deleted offer keeps its whole history', async () => {
    await f.append(offerStream(offerId), [
      created,
      support('han@contoso.cn'),
      { type: 'OfferDeleted', data: { offerId, publisherId, deletedAt: t0 } },
    ]);
    const entries = await offerHistory();
    expect(entries.map((e) => e.type)).toEqual(['OfferCreated', 'OfferCustomerServiceUpdated', 'OfferDeleted']);
    expect(byField(lastOf(entries).changes)).toMatchObject({
      status: ['DRAFT', 'DELETED'],
      name: ['Contoso VM', null],
      'supportContacts.0.email': ['han@contoso.cn', null],
      'supportContacts.1.qq': ['55501234', null],
    });
  });

  it('a value whose key was destroyed shows as erased, never as its value, and its change stays visible', async () => {
    await f.append(publisherStream(publisherId), [
      registered,
      { type: 'AadUserAdded', data: { publisherId, user: account } },
      { type: 'ContactUpdated', data: { publisherId, contact: { email: 'han@contoso.cn' }, updatedAt: t0 } },
    ]);
    await f.append(offerStream(offerId), [created, support('han@contoso.cn')]);
    await f.keys.destroy(contactSubject(publisherId));
    await f.keys.destroy(offerSupportSubject(offerId));
    const entries = await publisherHistory();
    expect(JSON.stringify([entries, await offerHistory()])).not.toMatch(
      /li\.lei@contoso\.cn|han@contoso|\+8613800138000|55501234/,
    );
    expect(byField(entries[0]!.changes)).toMatchObject({
      'contact.name': [null, ERASED],
      'contact.email': [null, ERASED],
      companyName: [null, 'Contoso China'],
    });
    expect(byField(entries[2]!.changes)).toEqual({ 'contact.email': [ERASED, ERASED] });
    // the AAD account is its own subject: its values are still there
    expect(byField(entries[1]!.changes)['aadUsers.acc-1.displayName']).toEqual([null, 'Li Lei']);
    expect(byField((await offerHistory())[1]!.changes)).toEqual({
      'supportContacts.0.name': [null, ERASED],
      'supportContacts.0.email': [null, ERASED],
      'supportContacts.1.qq': [null, ERASED],
    });
  });

  it('pages follow each other by revision and count the whole stream', async () => {
    const updates: PublisherEvent[] = Array.from({ length: 6 }, (_, i) => ({
      type: 'ContactUpdated',
      data: { publisherId, contact: { name: `Name ${i}` }, updatedAt: t0 },
    }));
    await f.append(publisherStream(publisherId), [registered, ...updates]);
    const first = await f.history.page({ kind: 'publisher', id: publisherId }, 3);
    expect(first).toMatchObject({ hasNextPage: true, totalCount: 7 });
    const second = await f.history.page({ kind: 'publisher', id: publisherId }, 3, first.entries.at(-1)!.revision);
    expect(second.entries.map((e) => e.revision)).toEqual([3, 4, 5]);
    expect(byField(second.entries[0]!.changes)).toEqual({ 'contact.name': ['Name 1', 'Name 2'] });
    const third = await f.history.page({ kind: 'publisher', id: publisherId }, 3, 5);
    expect(third).toMatchObject({ hasNextPage: false, totalCount: 7 });
    expect(third.entries.map((e) => e.revision)).toEqual([6]);
  });

  it('pages read through snapshots show what a fold from the first event shows', async () => {
    const snapshotting = auditFixture({ snapshotEvery: 4 });
    try {
      const updates: PublisherEvent[] = Array.from({ length: 30 }, (_, i) => ({
        type: 'ContactUpdated',
        data: { publisherId, contact: { name: `Name ${i}` }, updatedAt: t0 },
      }));
      for (const fixture of [f, snapshotting])
        await fixture.append(publisherStream(publisherId), [registered, ...updates]);
      const pages = async (fixture: typeof f, size: number) => {
        const entries: HistoryEntry[] = [];
        for (let after = -1, more = true; more;) {
          const page = await fixture.history.page({ kind: 'publisher', id: publisherId }, size, after);
          entries.push(...page.entries);
          more = page.hasNextPage;
          after = page.entries.at(-1)?.revision ?? after;
        }
        return entries;
      };
      await pages(snapshotting, 3); // leaves snapshots at every 4th revision for the second read
      const viaSnapshots = await pages(snapshotting, 3);
      expect(viaSnapshots).toEqual(await pages(f, 31));
      expect(byField(viaSnapshots[30]!.changes)).toEqual({ 'contact.name': ['Name 28', 'Name 29'] });
    } finally {
      await snapshotting.close();
    }
  });

  it('an unknown subject has an empty history', async () => {
    expect(await f.history.page({ kind: 'offer', id: offerId }, 10)).toEqual({
      entries: [],
      hasNextPage: false,
      totalCount: 0,
    });
  });
});
