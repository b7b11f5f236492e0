import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uuidV7Ids, type Clock } from '../../../src/clock.js';
import { CommandHandler } from '../../../src/events/command-handler.js';
import { EventCodec } from '../../../src/events/store/event-codec.js';
import { PersonalDataCodec } from '../../../src/privacy/personal-data-codec.js';
import { ValidationError } from '../../../src/errors.js';
import type { CommandContext } from '../../../src/events/store/event-codec.js';
import { LEDGER_STREAM_PREFIXES } from '../../../src/events/ledger-streams.js';
import { CLAIM_COMPLETES_WITHIN_MS } from '../../../src/events/registration-code/registration-code.js';
import { RegistrationCodeService } from '../../../src/events/registration-code/registration-code.service.js';
import { openLedger, type Ledger } from '../../../src/server/ledger.js';
import { aPublisher, aRegistrationCode, tempDataDir } from '../../server/harness.js';

const operator: CommandContext = { actor: { id: 'op-1', kind: 'user', role: 'operator' }, correlationId: 'c-1' };

/** A clock the test moves. */
const clock = {
  at: Date.parse('2026-11-22T10:00:00Z'),
  now() {
    return new Date(this.at);
  },
} satisfies Clock & { at: number };

describe('one publisher per registration code', () => {
  let data: ReturnType<typeof tempDataDir>;
  let ledger: Ledger;
  beforeEach(async () => {
    data = tempDataDir('pl-uscc-');
    ledger = await openLedger(
      { dataDir: data.dir, masterKey: '', readYourWritesTimeoutMs: 5_000, kurrentdbUrl: '' },
      { clock },
    );
  });
  afterEach(async () => {
    await ledger.close();
    data.remove();
  });

  const register = (registrationCode: string, extra: Record<string, unknown> = {}) =>
    ledger.services.publishers.register({ ...aPublisher({ registrationCode }), ...extra }, operator);
  /** What refusing says: the field and the rule, never the code nor who holds it. */
  const refusal = async (attempt: Promise<unknown>) => {
    const error = await attempt.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  };

  it('a second registration of a code, however spelled, is refused without naming the code or its holder', async () => {
    const code = aRegistrationCode();
    const first = await register(code);
    const spelled = `${code.slice(0, 4).toLowerCase()}-${code.slice(4, 10)} ${code.slice(10)}`;
    const error = await refusal(register(spelled));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'registrationCode' });
    expect(error.rule).toMatch(/unique/);
    expect(`${error.message} ${JSON.stringify(error.details)}`).not.toContain(code.slice(8));
    expect(`${error.message} ${JSON.stringify(error.details)}`).not.toContain(first.publisher.id);
    const registered = (await ledger.events.readAll()).filter((event) => event.type === 'PublisherRegistered');
    expect(registered.map((event) => event.streamId)).toEqual([`publisher-${first.publisher.id}`]);
  });

  it('of registrations racing for one code, exactly one wins', async () => {
    const code = aRegistrationCode();
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => register(code)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected')
        expect(r.reason).toMatchObject({ code: 'BAD_USER_INPUT', field: 'registrationCode' });
  });

  it('a retried registration gets its first answer, not a refusal', async () => {
    const code = aRegistrationCode();
    const first = await register(code, { idempotencyKey: 'register-retry-1' });
    const again = await register(code, { idempotencyKey: 'register-retry-1' });
    expect(again.publisher.id).toBe(first.publisher.id);
    expect(again.position).toBe(first.position);
  });

  it('a code is held while its publisher is pending, rejected (it may be approved on review) or approved, and free once its account is closed', async () => {
    const { publishers, erasure } = ledger.services;
    const code = aRegistrationCode();
    const first = await register(code);
    const rejected = await publishers.reject(
      { id: first.publisher.id, expectedVersion: first.version, reason: 'documents do not match' },
      operator,
    );
    await refusal(register(code));
    await publishers.approve({ id: first.publisher.id, expectedVersion: rejected.version }, operator);
    await refusal(register(code));
    await erasure.closeAccount({ publisherId: first.publisher.id }, operator);
    await expect(register(code)).resolves.toMatchObject({
      publisher: { registrationCode: code, registrationStatus: 'PENDING' },
    });
    await refusal(register(code));
  });

  it('a claim whose registration never happened holds the code only while that registration could still be under way', async () => {
    const code = aRegistrationCode();
    // a registration that crashed between its claim and its publisher's first event
    const handler = new CommandHandler(
      ledger.events,
      new EventCodec(new PersonalDataCodec(ledger.keys), clock, uuidV7Ids),
    );
    await new RegistrationCodeService(handler).claim(
      code,
      '0190a000-0000-7000-8000-000000000001',
      clock.now().toISOString(),
      operator,
    );
    await refusal(register(code));
    clock.at += CLAIM_COMPLETES_WITHIN_MS + 1;
    await expect(register(code)).resolves.toMatchObject({ publisher: { registrationCode: code } });
  });

  it('the claims live in streams the ledger filters its log by', async () => {
    await register(aRegistrationCode());
    const streams = new Set((await ledger.events.readAll()).map((event) => event.streamId));
    expect(
      [...streams].filter((stream) => !LEDGER_STREAM_PREFIXES.some((prefix) => stream.startsWith(prefix))),
    ).toEqual([]);
    expect([...streams].some((stream) => stream.startsWith('registration-'))).toBe(true);
    const report = await ledger.services.integrity.verifyAll();
    expect(report).toMatchObject({ firstBreak: null, streamsChecked: streams.size });
  });
});
