import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  PRIVACY_REQUESTS,
  privacyRequestProjection,
} from '../../../src/projections/privacy-request/privacy-request.projection.js';
import { SqliteReadStore } from '../../../src/projections/store/sqlite/sqlite-read-store.js';
import { PersonalDataCodec } from '../../../src/privacy/personal-data-codec.js';
import { isPersonalValue } from '../../../src/privacy/personal-value.js';
import { RequesterSealer, RetentionPolicy } from '../../../src/privacy/retention.js';
import { SqliteKeyStore } from '../../../src/privacy/keys/sqlite-key-store.js';
import { recorded, tempDir } from '../fixtures.js';

const id = '0190f5a2-7b3c-7d4e-8f60-123456789abc';
const changes = recorded(`publisher-${id}`, [
  { type: 'PublisherRegistered', data: { publisherId: id } },
  { type: 'ContactUpdated', data: { publisherId: id, contact: { email: { $pd: 1 } } } },
  { type: 'AadUserRemoved', data: { publisherId: id, accountId: 'a1' } },
  { type: 'PublisherApproved', data: { publisherId: id } },
]);

describe('privacy request records projection', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: SqliteReadStore;
  let keys: SqliteKeyStore;
  let codec: PersonalDataCodec;
  let projection: ReturnType<typeof privacyRequestProjection>;
  beforeEach(() => {
    tmp = tempDir('pl-prr-');
    store = SqliteReadStore.open(path.join(tmp.dir, 'read.sqlite'));
    keys = SqliteKeyStore.open(path.join(tmp.dir, 'keys.sqlite'), Buffer.alloc(32, 1));
    codec = new PersonalDataCodec(keys);
    projection = privacyRequestProjection(
      new RequesterSealer(keys, new RetentionPolicy(365, { now: () => new Date('2026-11-22T12:00:00Z') })),
    );
  });
  afterEach(async () => {
    await store.close();
    await keys.close();
    tmp.remove();
  });

  const apply = async (events = changes) =>
    store.write(await projection.project(events, store), {
      name: 'privacy-requests',
      position: events.at(-1)!.position,
    });
  /** the record as stored, its requester opened */
  const opened = async (id: string) => codec.open(await store.get(PRIVACY_REQUESTS, id));
  const ids = async () =>
    (await store.find(PRIVACY_REQUESTS, { sort: [{ field: 'requestedAt' }] })).items.map((d) => [
      d['kind'],
      d['target'],
    ]);

  it('given an edit and a deletion of personal data, then one record each; registration and review are not requests', async () => {
    await apply();
    expect(await ids()).toEqual([
      ['EDIT', 'contact'],
      ['DELETION', 'aadUsers'],
    ]);
    expect(await opened(changes[1]!.eventId)).toMatchObject({
      publisherId: id,
      requestedBy: 'tester',
      requestedAt: changes[1]!.occurredAt,
      outcome: 'COMPLETED',
    });
  });

  it('the requester is stored sealed under the month of the request, never in clear', async () => {
    await apply();
    const stored = await store.get(PRIVACY_REQUESTS, changes[1]!.eventId);
    expect(stored!['requestedBy']).toSatisfy(isPersonalValue);
    expect(stored!['requestedBy']).toMatchObject({ s: 'retention/2026-11' });
    expect(JSON.stringify(stored)).not.toContain('tester');
  });

  it('records of one batch by one requester are sealed once; each still opens to its own requester', async () => {
    const edits = recorded(`publisher-${id}`, [
      { type: 'ContactUpdated', data: { publisherId: id, contact: { email: { $pd: 1 } } } },
      { type: 'ContactUpdated', data: { publisherId: id, contact: { name: { $pd: 1 } } } },
      { type: 'ContactUpdated', data: { publisherId: id, contact: { telephone: { $pd: 1 } } } },
    ]);
    edits[2]!.metadata = { ...edits[2]!.metadata, actor: { id: 'another', kind: 'user' } };
    await apply(edits);
    const [first, second, third] = await Promise.all(edits.map((e) => store.get(PRIVACY_REQUESTS, e.eventId)));
    expect(second!['requestedBy']).toEqual(first!['requestedBy']);
    expect(third!['requestedBy']).not.toEqual(first!['requestedBy']);
    expect((await Promise.all(edits.map((e) => opened(e.eventId)))).map((r) => r?.['requestedBy'])).toEqual([
      'tester',
      'tester',
      'another',
    ]);
  });

  it('a record of a month already past the retention period is projected with its requester erased, never under a new key', async () => {
    const late = privacyRequestProjection(
      new RequesterSealer(keys, new RetentionPolicy(30, { now: () => new Date('2027-02-01T00:00:00Z') })),
    );
    await store.write(await late.project(changes, store), {
      name: 'privacy-requests',
      position: changes.at(-1)!.position,
    });
    expect(await store.get(PRIVACY_REQUESTS, changes[1]!.eventId)).toMatchObject({ requestedBy: { $erased: true } });
    expect(await keys.getMany(['retention/2026-11'])).toEqual(new Map());
  });

  it('replaying the same events twice changes nothing', async () => {
    await apply();
    const before = await store.find(PRIVACY_REQUESTS);
    await apply();
    expect(await store.find(PRIVACY_REQUESTS)).toEqual(before);
  });

  it('a deletion event leaves only a tombstone of its record: whose it was, nothing of the request', async () => {
    await apply();
    const deletion = recorded(
      `privacy-requests-${id}`,
      [{ type: 'PrivacyRequestRecordDeleted', data: { publisherId: id, recordId: changes[1]!.eventId } }],
      5,
    );
    await apply(deletion);
    expect(await store.get(PRIVACY_REQUESTS, changes[1]!.eventId)).toEqual({
      id: changes[1]!.eventId,
      publisherId: id,
      deleted: true,
      _position: 5,
    });
    expect(await ids()).toEqual([
      [undefined, undefined],
      ['DELETION', 'aadUsers'],
    ]);
  });

  it('a recorded read becomes a record at the instant of the read, with its kind and target', async () => {
    const read = recorded(
      `privacy-requests-${id}`,
      [
        {
          type: 'PrivacyRequestRecorded',
          data: { publisherId: id, kind: 'VIEW', target: 'contact', requestedAt: '2026-11-22T09:59:58.000Z' },
        },
      ],
      5,
    );
    await apply(read);
    await apply(read);
    expect(await opened(read[0]!.eventId)).toMatchObject({
      publisherId: id,
      kind: 'VIEW',
      target: 'contact',
      requestedBy: 'tester',
      requestedAt: '2026-11-22T09:59:58.000Z',
    });
    expect(await store.count(PRIVACY_REQUESTS)).toBe(1);
  });

  it("a staff member's read under an access grant becomes a VIEW record naming the grant, flagged when it was an emergency access; the grant's own life is no request", async () => {
    const grants = recorded(
      `access-grants-${id}`,
      [
        { type: 'AccessGrantRequested', data: { publisherId: id, grantId: 'g1', emergency: true } },
        {
          type: 'AccessGrantUsed',
          data: {
            publisherId: id,
            grantId: 'g1',
            target: 'contact',
            category: 'administrator',
            emergency: true,
            usedAt: '2026-11-22T10:00:05.000Z',
          },
        },
        { type: 'AccessGrantRevoked', data: { publisherId: id, grantId: 'g1' } },
      ],
      5,
    );
    await apply(grants);
    await apply(grants);
    expect(await store.count(PRIVACY_REQUESTS)).toBe(1);
    expect(await opened(grants[1]!.eventId)).toMatchObject({
      kind: 'VIEW',
      target: 'contact',
      requestedBy: 'tester',
      requestedAt: '2026-11-22T10:00:05.000Z',
      accessGrantId: 'g1',
      emergencyAccess: true,
    });
  });

  it('a contact list gives each publisher it names one USE record of the value handed out, requested by who drew it; replays change nothing, and a deleted one stays deleted', async () => {
    const other = '0190f5a2-7b3c-7d4e-8f60-123456789abd';
    const list = recorded(
      'contact-list-l1',
      [
        {
          type: 'ContactListProduced',
          data: {
            listId: 'l1',
            purpose: 'OFFERS',
            channel: 'PHONE',
            publisherIds: [id, other],
            publisherCount: 2,
            producedAt: '2026-11-22T10:00:00.000Z',
          },
        },
      ],
      5,
    );
    await apply(list);
    const records = (await store.find(PRIVACY_REQUESTS, { filter: { kind: 'USE' } })).items;
    expect(records.map((r) => [r['publisherId'], r['target']]).sort()).toEqual(
      [
        [id, 'contact.telephone'],
        [other, 'contact.telephone'],
      ].sort(),
    );
    const mine = records.find((r) => r['publisherId'] === id)!;
    expect(mine.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await opened(mine.id)).toMatchObject({
      requestedBy: 'tester',
      requestedAt: '2026-11-22T10:00:00.000Z',
      outcome: 'COMPLETED',
    });

    const deletion = recorded(
      `privacy-requests-${id}`,
      [{ type: 'PrivacyRequestRecordDeleted', data: { publisherId: id, recordId: mine.id } }],
      6,
    );
    await apply(deletion);
    // a replay of the list (a rebuild, or a batch retried) does not bring the deleted record back
    const replayed = await projection.project(list, store);
    expect(replayed.filter((op) => op.kind === 'upsert' && op.doc.id === mine.id)).toEqual([]);
    expect(await store.get(PRIVACY_REQUESTS, mine.id)).toMatchObject({ deleted: true });
    expect(await store.count(PRIVACY_REQUESTS, { kind: 'USE' })).toBe(1);
  });
});
