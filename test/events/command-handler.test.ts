import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { uuidV7Ids, systemClock } from '../../src/clock.js';
import { ConcurrencyError } from '../../src/errors.js';
import { CommandHandler } from '../../src/events/command-handler.js';
import type { Decider, DomainEvent } from '../../src/events/decider.js';
import { EventCodec } from '../../src/events/store/event-codec.js';
import { Idempotency } from '../../src/events/idempotency.js';
import { SqliteEventStore } from '../../src/events/store/sqlite/sqlite-event-store.js';
import { PersonalDataCodec } from '../../src/privacy/personal-data-codec.js';
import { SqliteKeyStore } from '../../src/privacy/keys/sqlite-key-store.js';

type Added = DomainEvent<'Added', { amount: number }>;
type Add = { type: 'Add'; amount: number };
const counter: Decider<Add, Added, number> = {
  initialState: 0,
  decide: (command) => (command.amount === 0 ? [] : [{ type: 'Added', data: { amount: command.amount } }]),
  evolve: (total, event) => total + event.data.amount,
};
const context = { actor: { id: 'tester', kind: 'system' as const }, correlationId: 'c' };

describe('command handler', () => {
  let dir: string;
  let events: SqliteEventStore;
  let keys: SqliteKeyStore;
  let codec: EventCodec;
  const handler = () => new CommandHandler(events, codec);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-handler-'));
    events = SqliteEventStore.open(path.join(dir, 'events.sqlite'));
    keys = SqliteKeyStore.open(path.join(dir, 'keys.sqlite'), randomBytes(32));
    codec = new EventCodec(new PersonalDataCodec(keys), systemClock, uuidV7Ids);
  });
  afterEach(async () => {
    await Promise.all([events.close(), keys.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('folds the stream, decides and appends; the version counts the events', async () => {
    const h = handler();
    await h.handle(counter, 'c-1', { type: 'Add', amount: 2 }, { context });
    const result = await h.handle(counter, 'c-1', { type: 'Add', amount: 3 }, { context, expectedVersion: 1 });
    expect(result).toMatchObject({ state: 5, version: 2 });
  });

  it('a command reads only the events appended since the last one it saw', async () => {
    const h = handler();
    for (let i = 0; i < 5; i++) await h.handle(counter, 'c-2', { type: 'Add', amount: 1 }, { context });
    const reads = vi.spyOn(events, 'readStream');
    await h.handle(counter, 'c-2', { type: 'Add', amount: 1 }, { context });
    expect(reads).toHaveBeenCalledWith('c-2', { fromRevision: 5 });
  });

  it('sees what another process appended to the same stream since it last looked', async () => {
    const a = handler();
    const b = handler(); // another API process: its own cache, the same log
    await a.handle(counter, 'c-3', { type: 'Add', amount: 1 }, { context });
    await b.handle(counter, 'c-3', { type: 'Add', amount: 10 }, { context, expectedVersion: 1 });
    await expect(
      a.handle(counter, 'c-3', { type: 'Add', amount: 1 }, { context, expectedVersion: 1 }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    const result = await a.handle(counter, 'c-3', { type: 'Add', amount: 100 }, { context, expectedVersion: 2 });
    expect(result).toMatchObject({ state: 111, version: 3 });
  });

  it('an idempotent retry after later changes returns the first result as it was', async () => {
    const idempotency = new Idempotency(randomBytes(32), keys);
    const mark = idempotency.mark('retry-key-0001', 'Add', { amount: 5 });
    const h = handler();
    const first = await h.handle(counter, 'c-4', { type: 'Add', amount: 5 }, { context, idempotency: mark });
    await h.handle(counter, 'c-4', { type: 'Add', amount: 7 }, { context });
    for (const retrying of [h, handler()]) {
      const retry = await retrying.handle(counter, 'c-4', { type: 'Add', amount: 5 }, { context, idempotency: mark });
      expect(retry).toMatchObject({ state: 5, version: 1, position: first.position, appended: [] });
    }
    expect(await events.readStream('c-4')).toHaveLength(2);
  });
});
