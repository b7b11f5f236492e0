import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { HistoryExport } from '../../src/history/export.js';
import { History } from '../../src/history/history.js';
import { PointInTime } from '../../src/history/point-in-time.js';
import { StreamStates } from '../../src/history/stream-states.js';
import { uuidV7Ids, type Clock } from '../../src/clock.js';
import type { DomainEvent } from '../../src/events/decider.js';
import { noContact, type PublisherEvent } from '../../src/events/publisher/publisher.events.js';
import { EventCodec } from '../../src/events/store/event-codec.js';
import { SqliteEventStore } from '../../src/events/store/sqlite/sqlite-event-store.js';
import { upcasters } from '../../src/events/store/upcasters.js';
import { PersonalDataCodec } from '../../src/privacy/personal-data-codec.js';
import { SqliteKeyStore } from '../../src/privacy/keys/sqlite-key-store.js';
import { OfferDirectoryQueries } from '../../src/projections/offer-directory/offer-directory.queries.js';
import { SqliteReadStore } from '../../src/projections/store/sqlite/sqlite-read-store.js';
import { tempDir } from '../projections/fixtures.js';

export const publisherId = '0190f5a2-7b3c-7d4e-8f60-123456789abc';
export const offerId = '0190f5a2-7b3c-7d4e-8f60-0000000000a1';
export const operator = { id: 'op-1', kind: 'user' as const, role: 'operator' };

/** The publisher's first event, registered at 2026-11-22T10:00:00Z. */
export const registered: PublisherEvent = {
  type: 'PublisherRegistered',
  data: {
    publisherId,
    companyName: 'Contoso China',
    registrationCode: '91350100M000100Y43',
    contact: { name: 'Li Lei', telephone: '+8613800138000', email: 'li.lei@contoso.cn' },
    contactPreferences: noContact,
    registeredAt: '2026-11-22T10:00:00.000Z',
  },
};

/** Real SQLite stores in a temp directory, a settable clock, and the audit services over them. */
export function auditFixture(options: { snapshotEvery?: number } = {}) {
  const data = tempDir('pl-audit-');
  let now = new Date('2026-11-22T10:00:00.000Z');
  const clock: Clock = { now: () => now };
  const events = SqliteEventStore.open(path.join(data.dir, 'events.sqlite'));
  const keys = SqliteKeyStore.open(path.join(data.dir, 'keys.sqlite'), randomBytes(32));
  const reads = SqliteReadStore.open(path.join(data.dir, 'reads.sqlite'));
  const personalData = new PersonalDataCodec(keys);
  const codec = new EventCodec(personalData, clock, uuidV7Ids);
  const states = new StreamStates(events, upcasters, options.snapshotEvery ? { every: options.snapshotEvery } : {});
  const history = new History(events, personalData, states, upcasters);
  return {
    events,
    keys,
    history,
    pointInTime: new PointInTime(states, personalData),
    historyExport: new HistoryExport(history, new OfferDirectoryQueries(reads, events)),
    /** sets the clock that stamps the next appends */
    at(instant: string) {
      now = new Date(instant);
    },
    async append(streamId: string, domainEvents: DomainEvent[], actor = operator) {
      const encoded = await codec.encode(domainEvents, { actor, correlationId: 'c-1' });
      return events.append(streamId, encoded, { expectedRevision: 'any' });
    },
    async close() {
      await Promise.all([events.close(), keys.close(), reads.close()]);
      data.remove();
    },
  };
}
