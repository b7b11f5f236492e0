import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock, uuidV7Ids } from '../../../src/clock.js';
import { EventCodec } from '../../../src/events/store/event-codec.js';
import { SqliteEventStore } from '../../../src/events/store/sqlite/sqlite-event-store.js';
import { UpcasterRegistry } from '../../../src/events/store/upcasters.js';
import { PersonalDataCodec } from '../../../src/privacy/personal-data-codec.js';
import { SqliteKeyStore } from '../../../src/privacy/keys/sqlite-key-store.js';
import { recorded, tempDir } from '../../projections/fixtures.js';

/**
 * A test-only registry: production has no event type at version 2 yet (see
 * src/events/store/upcasters.ts), so the codec is given this one. Version 1 of
 * `HotlineSet` carried the hotline's telephone at the top level; version 2
 * nests it in a contact and adds the channel it serves.
 */
const testUpcasters = new UpcasterRegistry([
  {
    type: 'HotlineSet',
    fromVersion: 1,
    upcast: ({ phone, ...rest }) => ({ ...rest, contact: { telephone: phone }, channel: 'phone' }),
  },
]);

const context = { actor: { id: 'tester', kind: 'system' as const }, correlationId: 'c' };

describe('schema evolution', () => {
  let data: ReturnType<typeof tempDir>;
  let events: SqliteEventStore;
  let keys: SqliteKeyStore;
  let personal: PersonalDataCodec;
  let codec: EventCodec;

  beforeEach(() => {
    data = tempDir('pl-upcast-');
    events = SqliteEventStore.open(path.join(data.dir, 'events.sqlite'));
    keys = SqliteKeyStore.open(path.join(data.dir, 'keys.sqlite'), randomBytes(32));
    personal = new PersonalDataCodec(keys);
    codec = new EventCodec(personal, systemClock, uuidV7Ids, testUpcasters);
  });
  afterEach(async () => {
    await Promise.all([events.close(), keys.close()]);
    data.remove();
  });

  it('a version-1 event in the log reads as version 2, its sealed value moved and opened', async () => {
    const subject = 'publisher/p-1/contact';
    // What an older build wrote: version 1, the telephone sealed at the top level.
    const v1 = await personal.seal({ publisherId: 'p-1', phone: '+8613800138000' }, [
      { path: 'phone', subjectId: subject },
    ]);
    await events.append(
      'hotline-p-1',
      [
        {
          eventId: uuidV7Ids.next(),
          type: 'HotlineSet',
          schemaVersion: 1,
          occurredAt: '2026-01-01T00:00:00.000Z',
          data: v1,
          metadata: context,
        },
      ],
      { expectedRevision: 'no_stream' },
    );
    const stored = await events.readStream('hotline-p-1');
    expect(stored[0]!.schemaVersion).toBe(1);

    const [read] = await codec.openRecorded(stored);
    expect(read!.schemaVersion).toBe(2);
    expect(read!.data).toEqual({ publisherId: 'p-1', contact: { telephone: '+8613800138000' }, channel: 'phone' });
    expect(await codec.decode(stored)).toEqual([{ type: 'HotlineSet', data: read!.data }]);
  });

  it('new events are written in the current version, and read back unchanged', async () => {
    const [encoded] = await codec.encode(
      [{ type: 'HotlineSet', data: { publisherId: 'p-1', contact: { telephone: '+86' }, channel: 'phone' } }],
      context,
    );
    expect(encoded!.schemaVersion).toBe(2);
    const other = await codec.encode([{ type: 'SomethingElse', data: {} }], context);
    expect(other[0]!.schemaVersion).toBe(1);
  });

  it('an event newer than this build knows is refused, not misread', () => {
    const [event] = recorded('hotline-p-2', [{ type: 'HotlineSet', data: {} }]);
    expect(() => testUpcasters.upcast({ ...event!, schemaVersion: 3 })).toThrow(
      /schema version 3; this build reads 1 to 2/,
    );
  });

  it('a chain with a gap is refused when the registry is built', () => {
    expect(() => new UpcasterRegistry([{ type: 'X', fromVersion: 2, upcast: (d) => d }])).toThrow(/in order/);
  });
});
