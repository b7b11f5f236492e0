import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { parseInstant } from '../../src/history/point-in-time.js';
import { offerStream } from '../../src/events/offer/offer.events.js';
import { publisherStream, type PublisherEvent } from '../../src/events/publisher/publisher.events.js';
import { contactSubject } from '../../src/privacy/data-subjects.js';
import { auditFixture, registered, offerId, publisherId } from './audit-fixture.js';

const renamed = (name: string, at: string): PublisherEvent => ({
  type: 'ContactUpdated',
  data: { publisherId, contact: { name }, updatedAt: at },
});

describe('records as of an instant', () => {
  let f: ReturnType<typeof auditFixture>;
  afterEach(() => f.close());

  it('between two changes the record is as the first left it; before the first event there is none', async () => {
    f = auditFixture();
    f.at('2026-11-22T10:00:00.000Z');
    await f.append(publisherStream(publisherId), [registered]);
    f.at('2026-11-22T12:00:00.000Z');
    await f.append(publisherStream(publisherId), [renamed('Han Meimei', '2026-11-22T12:00:00.000Z')]);

    expect(await f.pointInTime.publisher(publisherId, '2026-11-22T09:59:59.999Z')).toBeNull();
    const between = await f.pointInTime.publisher(publisherId, '2026-11-22T11:00:00.000Z');
    expect(between).toMatchObject({
      version: 1,
      contact: { name: 'Li Lei', email: 'li.lei@contoso.cn' },
      updatedAt: '2026-11-22T10:00:00.000Z',
    });
    // the instant of a change includes it
    expect(await f.pointInTime.publisher(publisherId, '2026-11-22T12:00:00.000Z')).toMatchObject({
      version: 2,
      contact: { name: 'Han Meimei' },
    });
  });

  it('an offer exists from its creation until its deletion', async () => {
    f = auditFixture();
    f.at('2026-11-22T10:00:00.000Z');
    await f.append(offerStream(offerId), [
      {
        type: 'OfferCreated',
        data: {
          offerId,
          publisherId,
          name: 'Contoso VM',
          kind: 'VIRTUAL_MACHINE',
          createdAt: '2026-11-22T10:00:00.000Z',
        },
      },
      {
        type: 'OfferCustomerServiceUpdated',
        data: { offerId, publisherId, supportContacts: [{ qq: '55501234' }], updatedAt: '2026-11-22T10:00:00.000Z' },
      },
    ]);
    f.at('2026-11-22T12:00:00.000Z');
    await f.append(offerStream(offerId), [
      { type: 'OfferDeleted', data: { offerId, publisherId, deletedAt: '2026-11-22T12:00:00.000Z' } },
    ]);

    expect(await f.pointInTime.offer(offerId, '2026-11-22T09:00:00.000Z')).toBeNull();
    expect(await f.pointInTime.offer(offerId, '2026-11-22T11:00:00.000Z')).toMatchObject({
      status: 'DRAFT',
      version: 2,
      supportContacts: [{ qq: '55501234', name: null, telephone: null, email: null, wechat: null, weibo: null }],
    });
    expect(await f.pointInTime.offer(offerId, '2026-11-22T13:00:00.000Z')).toBeNull();
  });

  it('a long stream read through snapshots gives what a fold from the first event gives, at every instant', async () => {
    f = auditFixture({ snapshotEvery: 8 });
    const cold = auditFixture();
    const instant = (i: number) => new Date(Date.UTC(2026, 10, 22, 10, 0, i)).toISOString();
    for (const fixture of [f, cold]) {
      fixture.at(instant(0));
      await fixture.append(publisherStream(publisherId), [registered]);
    }
    for (let i = 1; i <= 60; i++) {
      for (const fixture of [f, cold]) {
        fixture.at(instant(i));
        await fixture.append(publisherStream(publisherId), [renamed(`Name ${i}`, instant(i))]);
      }
    }
    try {
      // warm f's snapshots with a read of the whole stream, then ask out of order
      await f.pointInTime.publisher(publisherId, instant(61));
      for (const i of [60, 3, 17, 8, 9, 40, 0, 33, 16, 55]) {
        const viaSnapshots = await f.pointInTime.publisher(publisherId, instant(i));
        expect(viaSnapshots).toMatchObject({ version: i + 1, contact: { name: i === 0 ? 'Li Lei' : `Name ${i}` } });
        expect(viaSnapshots).toEqual(await cold.pointInTime.publisher(publisherId, instant(i)));
      }
    } finally {
      await cold.close();
    }
  });

  it('snapshots keep values sealed: after an erasure the past reads as erased too', async () => {
    f = auditFixture({ snapshotEvery: 2 });
    f.at('2026-11-22T10:00:00.000Z');
    await f.append(publisherStream(publisherId), [
      registered,
      renamed('A', '2026-11-22T10:00:00.000Z'),
      renamed('B', '2026-11-22T10:00:00.000Z'),
    ]);
    expect(await f.pointInTime.publisher(publisherId, '2026-11-22T11:00:00.000Z')).toMatchObject({
      contact: { name: 'B' },
    });
    await f.keys.destroy(contactSubject(publisherId));
    expect(await f.pointInTime.publisher(publisherId, '2026-11-22T11:00:00.000Z')).toMatchObject({
      companyName: 'Contoso China',
      contact: { name: null, telephone: null, email: null },
    });
  });

  it('an instant must be an ISO-8601 date-time with a zone', () => {
    expect(parseInstant('asOf', '2026-11-22T10:00:00+08:00')).toBe('2026-11-22T02:00:00.000Z');
    for (const bad of ['yesterday', '2026-11-22', '2026-11-22T10:00:00', '2026-13-40T10:00:00Z']) {
      expect(() => parseInstant('asOf', bad)).toThrow(ValidationError);
    }
  });
});
