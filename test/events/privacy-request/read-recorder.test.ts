import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uuidV7Ids } from '../../../src/clock.js';
import { CommandHandler } from '../../../src/events/command-handler.js';
import { EventCodec } from '../../../src/events/store/event-codec.js';
import { privacyRequestStream } from '../../../src/events/privacy-request/privacy-request.js';
import { ReadRecorder } from '../../../src/events/privacy-request/read-recorder.js';
import { SqliteEventStore } from '../../../src/events/store/sqlite/sqlite-event-store.js';
import { PersonalDataCodec } from '../../../src/privacy/personal-data-codec.js';
import { SqliteKeyStore } from '../../../src/privacy/keys/sqlite-key-store.js';

const as = (id: string) => ({ actor: { id, kind: 'user' as const }, correlationId: 'c' });

describe('read recorder', () => {
  let dir: string;
  let events: SqliteEventStore;
  let keys: SqliteKeyStore;
  let now: number;
  let recorder: ReadRecorder;
  const clock = { now: () => new Date(now) };
  const recordedReads = async (publisherId: string) =>
    (await events.readStream(privacyRequestStream(publisherId))).map((e) => [
      e.data['kind'],
      e.data['target'],
      e.metadata.actor.id,
      e.data['requestedAt'],
    ]);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-reads-'));
    events = SqliteEventStore.open(path.join(dir, 'events.sqlite'));
    keys = SqliteKeyStore.open(path.join(dir, 'keys.sqlite'), randomBytes(32));
    now = Date.parse('2026-11-22T10:00:00.000Z');
    const handler = new CommandHandler(events, new EventCodec(new PersonalDataCodec(keys), clock, uuidV7Ids));
    recorder = new ReadRecorder(handler, clock, { windowMs: 60_000 });
  });
  afterEach(async () => {
    await Promise.all([events.close(), keys.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('many readers viewing one publisher at once are all recorded: records never conflict with each other', async () => {
    const readers = Array.from({ length: 25 }, (_, i) => `reader-${i}`);
    for (const reader of readers) recorder.viewed('p-busy', 'contact', reader, () => as(reader));
    await recorder.drain();
    const recorded = await recordedReads('p-busy');
    expect(recorded.map(([, , actor]) => actor).sort()).toEqual([...readers].sort());
    expect((await events.readStream(privacyRequestStream('p-busy'))).map((e) => e.revision)).toEqual(
      readers.map((_, i) => i),
    );
  });

  it('records a reader viewing the same data once per window, and again after it', async () => {
    recorder.viewed('p-1', 'contact', 'reader-1', () => as('reader-1'));
    now += 30_000;
    recorder.viewed('p-1', 'contact', 'reader-1', () => as('reader-1'));
    await recorder.drain();
    expect(await recordedReads('p-1')).toEqual([['VIEW', 'contact', 'reader-1', '2026-11-22T10:00:00.000Z']]);
    now += 31_000;
    recorder.viewed('p-1', 'contact', 'reader-1', () => as('reader-1'));
    await recorder.drain();
    expect(await recordedReads('p-1')).toHaveLength(2);
  });

  it('keeps separate records per reader, per data and per publisher', async () => {
    recorder.viewed('p-1', 'contact', 'reader-1', () => as('reader-1'));
    recorder.viewed('p-1', 'contact', 'reader-2', () => as('reader-2'));
    recorder.viewed('p-1', 'aadUsers', 'reader-1', () => as('reader-1'));
    recorder.viewed('p-2', 'contact', 'reader-1', () => as('reader-1'));
    await recorder.drain();
    expect((await recordedReads('p-1')).map(([kind, target, actor]) => `${kind} ${target} ${actor}`).sort()).toEqual([
      'VIEW aadUsers reader-1',
      'VIEW contact reader-1',
      'VIEW contact reader-2',
    ]);
    expect(await recordedReads('p-2')).toHaveLength(1);
  });

  it('records every export, durably before it resolves', async () => {
    await recorder.exported('p-1', 'personalData', as('reader-1'));
    await recorder.exported('p-1', 'personalData', as('reader-1'));
    expect((await recordedReads('p-1')).map(([kind]) => kind)).toEqual(['EXPORT', 'EXPORT']);
  });
});
