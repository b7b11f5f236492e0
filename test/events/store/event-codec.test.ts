import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventCodec } from '../../../src/events/store/event-codec.js';
import { clientSubject } from '../../../src/privacy/data-subjects.js';
import { PersonalDataCodec } from '../../../src/privacy/personal-data-codec.js';
import { ERASED, isPersonalValue } from '../../../src/privacy/personal-value.js';
import { SqliteKeyStore } from '../../../src/privacy/keys/sqlite-key-store.js';
import { tempDir } from '../../projections/fixtures.js';

const at = (iso: string) => ({ now: () => new Date(iso) });
let next = 0;
const ids = { next: () => `0190f5a2-7b3c-7d4e-8f60-${String(++next).padStart(12, '0')}` };
const context = {
  actor: { id: 'auditor-1', kind: 'user' as const, role: 'auditor' },
  correlationId: 'corr-1',
  causationId: 'cause-1',
  requestId: 'req-1',
  client: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (Portal)' },
};
const registered = { type: 'PrivacyRequestRecordDeleted', data: { publisherId: 'p-1', recordId: 'r-1' } };

describe('event metadata', () => {
  let tmp: ReturnType<typeof tempDir>;
  let keys: SqliteKeyStore;
  let personalData: PersonalDataCodec;

  beforeEach(() => {
    tmp = tempDir('pl-codec-');
    keys = SqliteKeyStore.open(path.join(tmp.dir, 'keys.sqlite'), randomBytes(32));
    personalData = new PersonalDataCodec(keys);
  });
  afterEach(async () => {
    await keys.close();
    tmp.remove();
  });

  it('carries id, instant, actor, correlation, causation, request and schema version in clear', async () => {
    const [event] = await new EventCodec(personalData, at('2026-03-31T23:59:59.000Z'), ids).encode(
      [registered],
      context,
    );
    expect(event).toMatchObject({
      eventId: expect.stringMatching(/^0190f5a2-/),
      occurredAt: '2026-03-31T23:59:59.000Z',
      schemaVersion: 1,
      metadata: { actor: context.actor, correlationId: 'corr-1', causationId: 'cause-1', requestId: 'req-1' },
    });
  });

  it("seals the metadata it builds, never the caller's context (an actor recorded as it is keeps its object id in clear)", async () => {
    const own = { ...context, actor: { id: 'user-1', kind: 'user' as const, objectId: 'oid-1' } };
    const [event] = await new EventCodec(personalData, at('2026-03-31T23:59:59.000Z'), ids).encode([registered], own);
    expect(event!.metadata.actor.objectId).toSatisfy(isPersonalValue);
    expect(JSON.stringify(event!.metadata)).not.toContain('oid-1');
    expect(own.actor).toEqual({ id: 'user-1', kind: 'user', objectId: 'oid-1' });
  });

  it('seals client IP and user agent as one value under the month of the event, and opens it until that month is destroyed', async () => {
    const march = await new EventCodec(personalData, at('2026-03-31T23:59:59.000Z'), ids).encode([registered], context);
    const april = await new EventCodec(personalData, at('2026-04-01T00:00:00.000Z'), ids).encode([registered], context);
    const stored = JSON.stringify(march[0]!.metadata);
    expect(stored).not.toContain('203.0.113.7');
    expect(stored).not.toContain('Portal');
    expect(march[0]!.metadata.client).toSatisfy(isPersonalValue);
    expect((march[0]!.metadata.client as { s: string }).s).toBe('client/2026-03');
    expect((april[0]!.metadata.client as { s: string }).s).toBe('client/2026-04');

    const client = { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (Portal)' };
    expect(await personalData.open(march[0]!.metadata)).toMatchObject({ client });
    expect(await keys.destroy(clientSubject('2026-03-31T23:59:59.000Z'))).toBe(true);
    expect(await personalData.open(march[0]!.metadata)).toMatchObject({ client: ERASED, correlationId: 'corr-1' });
    expect(await personalData.open(april[0]!.metadata)).toMatchObject({ client });
  });

  it('keeps only the part of the client that is known', async () => {
    const [event] = await new EventCodec(personalData, at('2026-03-01T00:00:00.000Z'), ids).encode([registered], {
      ...context,
      client: { ip: '198.51.100.4' },
    });
    expect(await personalData.open(event!.metadata)).toMatchObject({ client: { ip: '198.51.100.4' } });
    expect((await personalData.open(event!.metadata)).client).not.toHaveProperty('userAgent');
  });

  it('still opens the client IP and user agent of events written before they were sealed together', async () => {
    const [event] = await new EventCodec(personalData, at('2026-03-01T00:00:00.000Z'), ids).encode([registered], {
      ...context,
      client: {},
    });
    const subject = clientSubject('2026-03-01T00:00:00.000Z');
    const old = await personalData.seal({ ...event!.metadata, clientIp: '203.0.113.7', userAgent: 'Legacy/1.0' }, [
      { path: 'clientIp', subjectId: subject },
      { path: 'userAgent', subjectId: subject },
    ]);
    expect(await personalData.open(old)).toMatchObject({ clientIp: '203.0.113.7', userAgent: 'Legacy/1.0' });
    expect(await keys.destroy(subject)).toBe(true);
    expect(await personalData.open(old)).toMatchObject({ clientIp: ERASED, userAgent: ERASED });
  });

  it('a request without client details stores none', async () => {
    const { client: _, ...withoutClient } = context;
    const [event] = await new EventCodec(personalData, at('2026-03-01T00:00:00.000Z'), ids).encode(
      [registered],
      withoutClient,
    );
    expect(Object.keys(event!.metadata)).not.toContain('client');
  });
});
