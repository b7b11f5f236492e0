import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventCodec } from '../../../src/events/store/event-codec.js';
import { IntegrityVerifier } from '../../../src/events/store/integrity.js';
import { noContact, publisherStream, type PublisherEvent } from '../../../src/events/publisher/publisher.events.js';
import { SqliteEventStore } from '../../../src/events/store/sqlite/sqlite-event-store.js';
import { contactSubject } from '../../../src/privacy/data-subjects.js';
import { PersonalDataCodec } from '../../../src/privacy/personal-data-codec.js';
import { SqliteKeyStore } from '../../../src/privacy/keys/sqlite-key-store.js';
import { uuidV7Ids } from '../../../src/clock.js';
import { tempDir } from '../../projections/fixtures.js';

const context = {
  actor: { id: 'tester', kind: 'system' as const },
  correlationId: 'c-1',
  client: { ip: '198.51.100.4', userAgent: 'test' },
};

function history(publisherId: string): PublisherEvent[] {
  const at = '2026-11-22T10:00:00.000Z';
  return [
    {
      type: 'PublisherRegistered',
      data: {
        publisherId,
        companyName: 'Contoso China',
        registrationCode: '91350100M000100Y43',
        contactPreferences: noContact,
        contact: { name: 'Li Lei', telephone: '+8613800138000', email: 'li.lei@contoso.cn' },
        registeredAt: at,
      },
    },
    { type: 'ContactUpdated', data: { publisherId, contact: { email: 'lei@contoso.cn' }, updatedAt: at } },
    { type: 'ContactUpdated', data: { publisherId, companyName: 'Fabrikam', updatedAt: at } },
  ];
}

describe('integrity verification', () => {
  let tmp: ReturnType<typeof tempDir>;
  let events: SqliteEventStore;
  let keys: SqliteKeyStore;
  let verifier: IntegrityVerifier;
  let raw: Database.Database;
  const a = uuidV7Ids.next();
  const b = uuidV7Ids.next();

  beforeEach(async () => {
    tmp = tempDir('pl-verify-');
    events = SqliteEventStore.open(path.join(tmp.dir, 'events.sqlite'));
    keys = SqliteKeyStore.open(path.join(tmp.dir, 'keys.sqlite'), randomBytes(32));
    const codec = new EventCodec(
      new PersonalDataCodec(keys),
      { now: () => new Date('2026-11-22T10:00:00Z') },
      uuidV7Ids,
    );
    for (const id of [a, b]) {
      await events.append(publisherStream(id), await codec.encode(history(id), context), {
        expectedRevision: 'no_stream',
      });
    }
    // Two pages per stream and several for the log, so page boundaries are crossed.
    verifier = new IntegrityVerifier(events, 2);
    raw = new Database(path.join(tmp.dir, 'events.sqlite'));
  });
  afterEach(async () => {
    raw.close();
    await Promise.all([events.close(), keys.close()]);
    tmp.remove();
  });

  /** Changes one character of a stored column, as someone with the file could. */
  function alter(streamId: string, revision: number, column: 'data' | 'prev_hash', from: string, to: string) {
    const changed = raw
      .prepare(`UPDATE events SET ${column} = replace(${column}, ?, ?) WHERE stream_id = ? AND revision = ?`)
      .run(from, to, streamId, revision);
    expect(changed.changes).toBe(1);
  }

  it('an untouched log verifies, stream by stream and as a whole', async () => {
    expect(await verifier.verifyStream(publisherStream(a))).toEqual({
      eventsChecked: 3,
      streamsChecked: 1,
      firstBreak: null,
    });
    expect(await verifier.verifyAll()).toEqual({ eventsChecked: 6, streamsChecked: 2, firstBreak: null });
  });

  it('still verifies after erasure destroyed the keys of the contact and of the client month', async () => {
    expect(await keys.destroy(contactSubject(a))).toBe(true);
    expect(await keys.destroy('client/2026-11')).toBe(true);
    expect((await verifier.verifyAll()).firstBreak).toBeNull();
  });

  it('one byte changed inside stored data is a hash mismatch at that stream and revision', async () => {
    alter(publisherStream(b), 2, 'data', 'Fabrikam', 'Fabrikan');
    const report = await verifier.verifyAll();
    expect(report.firstBreak).toMatchObject({
      streamId: publisherStream(b),
      revision: 2,
      position: 6,
      kind: 'HASH_MISMATCH',
    });
    expect((await verifier.verifyStream(publisherStream(b))).firstBreak).toMatchObject({
      revision: 2,
      kind: 'HASH_MISMATCH',
    });
    expect((await verifier.verifyStream(publisherStream(a))).firstBreak).toBeNull();
  });

  it('a re-pointed previous hash is a prev-hash mismatch; the report names both hashes', async () => {
    const [, second] = await events.readStream(publisherStream(a));
    alter(
      publisherStream(a),
      1,
      'prev_hash',
      second!.prevHash.slice(0, 1),
      second!.prevHash.slice(0, 1) === 'f' ? 'e' : 'f',
    );
    const broken = (await verifier.verifyStream(publisherStream(a))).firstBreak;
    expect(broken).toMatchObject({ revision: 1, kind: 'PREV_HASH_MISMATCH', expected: second!.prevHash });
    expect(broken!.found).not.toBe(second!.prevHash);
  });

  it('a removed event is a revision gap, also when it was the first', async () => {
    raw.exec('DROP TRIGGER events_append_only'); // as someone with the file in hand would
    raw.prepare('DELETE FROM events WHERE stream_id = ? AND revision = 1').run(publisherStream(a));
    raw.prepare('DELETE FROM events WHERE stream_id = ? AND revision = 0').run(publisherStream(b));
    expect((await verifier.verifyStream(publisherStream(a))).firstBreak).toMatchObject({
      revision: 2,
      kind: 'REVISION_GAP',
      expected: '1',
      found: '2',
    });
    expect((await verifier.verifyStream(publisherStream(b))).firstBreak).toMatchObject({
      revision: 1,
      kind: 'REVISION_GAP',
      expected: '0',
    });
    expect((await verifier.verifyAll()).firstBreak).toMatchObject({ streamId: publisherStream(a), revision: 2 });
  });

  it('a stream with no events is NOT_FOUND', async () => {
    await expect(verifier.verifyStream(publisherStream(uuidV7Ids.next()))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
