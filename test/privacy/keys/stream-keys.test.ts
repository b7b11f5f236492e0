import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../src/events/store/event-envelope.js';
import { idempotencySubject } from '../../../src/events/idempotency.js';
import { contactSubject } from '../../../src/privacy/data-subjects.js';
import { StreamKeys } from '../../../src/privacy/keys/stream-keys.js';

const publisherId = 'p-1';
const contact = contactSubject(publisherId);
const sealed = (s: string, k: string) => ({ $pd: 1, s, k, c: 'AAAA' });

let revision = 0;
function recorded(type: string, data: Record<string, unknown>): RecordedEvent {
  const at = revision++;
  return {
    eventId: `e-${at}`,
    type,
    schemaVersion: 1,
    occurredAt: '2026-01-01T00:00:00.000Z',
    data,
    metadata: { actor: { id: 'op', kind: 'user' }, correlationId: 'c', client: sealed('client/2026-01', 'kc') },
    streamId: `publisher-${publisherId}`,
    revision: at,
    position: at + 1,
    prevHash: '',
    hash: '',
  };
}
const updated = (keyId: string) =>
  recorded('ContactUpdated', { publisherId, contact: { name: sealed(contact, keyId), email: sealed(contact, keyId) } });
const erased = (keyIds?: string[]) =>
  recorded('PersonalDataErased', {
    publisherId,
    subject: { kind: 'contact' },
    scope: 'subject',
    erasedAt: '2026-01-01T00:00:00.000Z',
    ...(keyIds ? { keyIds } : {}),
  });

describe('the data keys of a stream', () => {
  it("names each subject's live keys from the stored values, metadata included", () => {
    const keys = StreamKeys.none.with([updated('k1'), updated('k1')]);
    expect(keys.liveKeyIds(contact)).toEqual(['k1']);
    expect(keys.liveKeyIdsBySubject()).toEqual({ [contact]: ['k1'], 'client/2026-01': ['kc'] });
    expect(keys.retired()).toEqual([]);
  });

  it('an erasure retires exactly the key ids it recorded; a value written after it is live under its fresh key', () => {
    const keys = StreamKeys.none.with([updated('k1'), erased(['k1']), updated('k2')]);
    expect(keys.retired()).toEqual([{ subjectId: contact, keyId: 'k1' }]);
    expect(keys.isRetired('k1')).toBe(true);
    expect(keys.isRetired('k2')).toBe(false);
    expect(keys.liveKeyIds(contact)).toEqual(['k2']);
  });

  it('an erasure recorded before key ids retires the keys of every value of its subject before it', () => {
    const keys = StreamKeys.none.with([updated('k1'), updated('k2'), erased(), updated('k3')]);
    expect(
      keys
        .retired()
        .map((key) => key.keyId)
        .sort(),
    ).toEqual(['k1', 'k2']);
    expect(keys.liveKeyIds(contact)).toEqual(['k3']);
  });

  it('folds the same whether the events come at once or one by one, and leaves the earlier fold unchanged', () => {
    const events = [updated('k1'), erased(['k1']), updated('k2'), erased()];
    const once = StreamKeys.none.with(events);
    const first = StreamKeys.none.with(events.slice(0, 1));
    const stepwise = events.slice(1).reduce((keys, event) => keys.with([event]), first);
    expect(stepwise.retired()).toEqual(once.retired());
    expect(stepwise.liveKeyIds(contact)).toEqual([]);
    expect(first.liveKeyIds(contact)).toEqual(['k1']);
  });

  it('folded one write at a time, notes a new key of any subject (the client in metadata, an idempotency mark) after writes under known keys', () => {
    const stream = `publisher-${publisherId}`;
    const withMetadata = (event: RecordedEvent, metadata: Record<string, unknown>) => ({
      ...event,
      metadata: { ...event.metadata, ...metadata },
    });
    const events = [
      updated('k1'),
      updated('k1'),
      withMetadata(updated('k1'), { client: sealed('client/2026-02', 'kc2') }),
      withMetadata(updated('k1'), { idempotency: { key: 'x', fingerprint: 'f', keyId: 'ki' } }),
      updated('k1'),
    ];
    const stepwise = events
      .slice(1)
      .reduce((keys, event) => keys.with([event]), StreamKeys.none.with(events.slice(0, 1)));
    expect(stepwise.liveKeyIdsBySubject()).toEqual({
      [contact]: ['k1'],
      'client/2026-01': ['kc'],
      'client/2026-02': ['kc2'],
      [idempotencySubject(stream)]: ['ki'],
    });
    expect(stepwise.liveKeyIdsBySubject()).toEqual(StreamKeys.none.with(events).liveKeyIdsBySubject());
  });
});
