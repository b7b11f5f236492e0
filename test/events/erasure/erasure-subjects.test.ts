import { afterEach, describe, expect, it } from 'vitest';
import { systemClock, uuidV7Ids } from '../../../src/clock.js';
import { CommandHandler } from '../../../src/events/command-handler.js';
import { EventCodec } from '../../../src/events/store/event-codec.js';
import { publisherDecider } from '../../../src/events/publisher/publisher.commands.js';
import { publisherStream } from '../../../src/events/publisher/publisher.events.js';
import { aadAccountSubject, contactSubject, offerSupportSubject } from '../../../src/privacy/data-subjects.js';
import { PersonalDataCodec } from '../../../src/privacy/personal-data-codec.js';
import type { Ledger } from '../../../src/server/ledger.js';
import { tempDataDir } from '../../server/harness.js';
import { openTestLedger, operator, recordScenario, values } from './erasure-fixture.js';

describe('erasing one person', () => {
  const data = tempDataDir('pl-erase-one-');
  let ledger: Ledger | undefined;
  let reopened: Ledger | undefined;
  afterEach(async () => {
    await (reopened ?? ledger)?.close();
    ledger = reopened = undefined;
    data.remove();
  });

  async function start() {
    ledger = await openTestLedger(data.dir);
    await ledger.runner.start();
    return { ledger, ...(await recordScenario(ledger)) };
  }
  const caughtUp = async (l: Ledger) => l.runner.waitFor(await l.events.headPosition(), 10_000);
  const records = async (l: Ledger, publisherId: string) =>
    (await l.services.privacyRequestQueries.forPublisher(publisherId, 100)).items.filter(
      (r) => 'kind' in r && r.kind === 'ERASURE',
    );

  it('erasing the contact hides only the contact, records one ERASURE, and a new contact can be given', async () => {
    const { ledger, publisherId } = await start();
    await ledger.services.erasure.erase({ publisherId, target: 'CONTACT' }, operator);
    await caughtUp(ledger);
    const [view] = await ledger.services.publisherQueries.byIds([publisherId]);
    expect(view!.contact).toEqual({ name: null, telephone: null, email: null, erased: true });
    expect(view!.aadUsers[0]).toMatchObject({ displayName: values.kept.displayName, erased: false });
    expect((await records(ledger, publisherId)).map((r) => 'target' in r && r.target)).toEqual(['contact']);
    const updated = await ledger.services.publishers.updateContact(
      {
        id: publisherId,
        expectedVersion: view!.version,
        contact: { name: 'Han Meimei', telephone: '13900139000', email: 'han@contoso.cn' },
      },
      operator,
    );
    expect(updated.publisher.contact).toEqual({
      name: 'Han Meimei',
      telephone: '+8613900139000',
      email: 'han@contoso.cn',
    });
  });

  it('an AAD account is erased once removed; while it has access the erasure is refused', async () => {
    const { ledger, publisherId, keptAccountId } = await start();
    await expect(
      ledger.services.erasure.erase({ publisherId, target: 'AAD_ACCOUNT', accountId: keptAccountId }, operator),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/still has access/) });
    const history = await ledger.services.history.all({ kind: 'publisher', id: publisherId });
    const removedId = history
      .flatMap((e) => e.changes)
      .map((c) => /^aadUsers\.([^.]+)\./.exec(c.field)?.[1])
      .find((id) => id && id !== keptAccountId)!;
    await ledger.services.erasure.erase({ publisherId, target: 'AAD_ACCOUNT', accountId: removedId }, operator);
    const after = (await ledger.services.history.all({ kind: 'publisher', id: publisherId })).flatMap((e) => e.changes);
    expect(after.find((c) => c.field === `aadUsers.${removedId}.displayName` && c.before === null)?.after).toEqual({
      $erased: true,
    });
    expect(JSON.stringify(after)).not.toContain(values.removed.displayName);
    expect(JSON.stringify(after)).toContain(values.kept.displayName);
    await expect(
      ledger.services.erasure.erase(
        { publisherId, target: 'AAD_ACCOUNT', accountId: '0190f5a2-0000-7000-8000-00000000dead' },
        operator,
      ),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it("a deleted offer's contacts can be erased; another publisher's offer is NOT_FOUND", async () => {
    const { ledger, publisherId, deletedOfferId } = await start();
    await ledger.services.erasure.erase({ publisherId, target: 'OFFER_SUPPORT', offerId: deletedOfferId }, operator);
    const exported = await ledger.services.historyExport.document(publisherId, 'jsonl');
    expect(exported).not.toContain(values.deletedSupport.qq);
    expect(exported).toContain(values.liveSupport.qq);
    await expect(
      ledger.services.erasure.erase(
        { publisherId: '0190f5a2-7b3c-7d4e-8f60-999999999999', target: 'OFFER_SUPPORT', offerId: deletedOfferId },
        operator,
      ),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a retry with the same idempotency key answers as the first and appends nothing; other input under it is refused', async () => {
    const { ledger, publisherId, deletedOfferId } = await start();
    const input = { publisherId, target: 'CONTACT' as const, idempotencyKey: 'erase-contact-0001' };
    const first = await ledger.services.erasure.erase(input, operator);
    const head = await ledger.events.headPosition();
    expect(await ledger.services.erasure.erase(input, operator)).toEqual(first);
    expect(await ledger.events.headPosition()).toBe(head);
    await expect(
      ledger.services.erasure.erase({ ...input, target: 'OFFER_SUPPORT', offerId: deletedOfferId }, operator),
    ).resolves.toBeDefined();
    await expect(
      ledger.services.erasure.erase(
        {
          publisherId,
          target: 'AAD_ACCOUNT',
          accountId: '0190f5a2-0000-7000-8000-00000000dead',
          idempotencyKey: 'erase-contact-0001',
        },
        operator,
      ),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/idempotencyKey/) });
  });

  it('an erasure that erases nothing keeps the retries of earlier keyed changes working; one that erases something ends them, and records the idempotency key it destroys', async () => {
    const { ledger, publisherId, deletedOfferId } = await start();
    const [before] = await ledger.services.publisherQueries.byIds([publisherId]);
    const change = {
      id: publisherId,
      expectedVersion: before!.version,
      contact: { email: 'keyed@contoso.cn' },
      idempotencyKey: 'keyed-change-0001',
    };
    const first = await ledger.services.publishers.updateContact(change, operator);
    // erases the deleted offer's contacts: nothing of the publisher's stream, whose keyed change still retries
    await ledger.services.erasure.erase({ publisherId, target: 'OFFER_SUPPORT', offerId: deletedOfferId }, operator);
    expect((await ledger.services.publishers.updateContact(change, operator)).position).toBe(first.position);

    const erased = await ledger.services.erasure.erase({ publisherId, target: 'CONTACT' }, operator);
    expect(erased.subjectIds).toEqual([contactSubject(publisherId)]);
    const recorded = (await ledger.events.readStream(publisherStream(publisherId)))
      .filter((e) => e.type === 'PersonalDataErased')
      .at(-1)!;
    expect(recorded.data['idempotencyKeyIds']).toHaveLength(1);
    await expect(ledger.services.publishers.updateContact(change, operator)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringMatching(/idempotencyKey/),
    });

    // a keyed change after the erasure, then an erasure that erases nothing: its retry still answers the first result
    const version = (await ledger.events.readStream(publisherStream(publisherId))).length;
    const later = {
      id: publisherId,
      expectedVersion: version,
      companyName: 'Contoso Renamed',
      idempotencyKey: 'keyed-change-0002',
    };
    const laterFirst = await ledger.services.publishers.updateContact(later, operator);
    expect(await ledger.services.erasure.erase({ publisherId, target: 'CONTACT' }, operator)).toMatchObject({
      subjectIds: [],
    });
    expect((await ledger.services.publishers.updateContact(later, operator)).position).toBe(laterFirst.position);
  });

  it('a crash after the erasure was recorded but before the key was destroyed is finished by the retry, which appends nothing', async () => {
    const { publisherId, ledger: crashed } = await start();
    // What an erasure that crashed halfway leaves behind: the event is durable, the key is not destroyed yet.
    const personalData = new PersonalDataCodec(crashed.keys);
    const handler = new CommandHandler(crashed.events, new EventCodec(personalData, systemClock, uuidV7Ids));
    await handler.handle(
      publisherDecider,
      publisherStream(publisherId),
      {
        type: 'ErasePublisherSubject',
        data: { publisherId, subject: { kind: 'contact' }, now: new Date().toISOString() },
      },
      { context: operator },
    );
    await crashed.close();
    const ledger = await openTestLedger(data.dir);
    reopened = ledger;
    await ledger.runner.start();
    expect((await ledger.keys.getMany([contactSubject(publisherId)])).size).toBe(1);
    const head = await ledger.events.headPosition();

    await ledger.services.erasure.erase({ publisherId, target: 'CONTACT' }, operator);
    expect(await ledger.events.headPosition()).toBe(head);
    expect((await ledger.keys.getMany([contactSubject(publisherId)])).size).toBe(0);
    await caughtUp(ledger);
    const [view] = await ledger.services.publisherQueries.byIds([publisherId]);
    expect(view!.contact.erased).toBe(true);
    expect(await records(ledger, publisherId)).toHaveLength(1);
  });

  it('an erasure a crash interrupted is finished when the ledger starts serving, with no retry and no write', async () => {
    const { publisherId, ledger: crashed } = await start();
    const handler = new CommandHandler(
      crashed.events,
      new EventCodec(new PersonalDataCodec(crashed.keys), systemClock, uuidV7Ids),
    );
    await handler.handle(
      publisherDecider,
      publisherStream(publisherId),
      (keys) => ({
        type: 'ErasePublisherSubject',
        data: {
          publisherId,
          subject: { kind: 'contact' },
          keyIds: keys.liveKeyIdsBySubject(),
          now: new Date().toISOString(),
        },
      }),
      { context: operator },
    );
    await crashed.close(); // the process died here: the erasure is in the log, the contact's key is not destroyed
    const ledger = await openTestLedger(data.dir);
    reopened = ledger;
    expect((await ledger.keys.getMany([contactSubject(publisherId)])).size).toBe(1);

    expect(await ledger.finishInterruptedErasures()).toHaveLength(1);
    await ledger.runner.start();
    await caughtUp(ledger);
    expect((await ledger.keys.getMany([contactSubject(publisherId)])).size).toBe(0);
    const [view] = await ledger.services.publisherQueries.byIds([publisherId]);
    expect(view!.contact).toEqual({ name: null, telephone: null, email: null, erased: true });
    expect(JSON.stringify(await ledger.services.history.all({ kind: 'publisher', id: publisherId }))).not.toContain(
      values.contact.email,
    );
    expect(await ledger.finishInterruptedErasures()).toEqual([]); // the next start reads on from where this one ended
  });

  it('a write after an erasure that crashed before destroying its key destroys it first and seals under a fresh key', async () => {
    const { publisherId, ledger: crashed } = await start();
    const handler = new CommandHandler(
      crashed.events,
      new EventCodec(new PersonalDataCodec(crashed.keys), systemClock, uuidV7Ids),
    );
    const erased = await handler.handle(
      publisherDecider,
      publisherStream(publisherId),
      (keys) => ({
        type: 'ErasePublisherSubject',
        data: {
          publisherId,
          subject: { kind: 'contact' },
          keyIds: keys.liveKeyIdsBySubject(),
          now: new Date().toISOString(),
        },
      }),
      { context: operator },
    );
    expect(erased.appended[0]!.data['keyIds']).toEqual(erased.keys.retired().map((key) => key.keyId));
    await crashed.close();
    const ledger = await openTestLedger(data.dir);
    reopened = ledger;
    await ledger.runner.start();
    await caughtUp(ledger);
    const [before] = await ledger.services.publisherQueries.byIds([publisherId]);
    const updated = await ledger.services.publishers.updateContact(
      { id: publisherId, expectedVersion: before!.version, contact: { email: 'new@contoso.cn' } },
      operator,
    );
    expect(updated.publisher.contact).toMatchObject({ email: 'new@contoso.cn' });
    await caughtUp(ledger);
    const [view] = await ledger.services.publisherQueries.byIds([publisherId]);
    // the erased values stay erased, the new one reads in clear
    expect(view!.contact).toEqual({ name: null, telephone: null, email: 'new@contoso.cn', erased: false });
    const history = JSON.stringify(await ledger.services.history.all({ kind: 'publisher', id: publisherId }));
    expect(history).not.toContain(values.contact.name);
    // a retried erasure erases the new value, and says so
    const again = await ledger.services.erasure.erase({ publisherId, target: 'CONTACT' }, operator);
    expect(again.subjectIds).toEqual([contactSubject(publisherId)]);
    expect(await ledger.services.erasure.erase({ publisherId, target: 'CONTACT' }, operator)).toMatchObject({
      subjectIds: [],
    });
  });

  it('a closure that crashed after closing the publisher is finished by the retry: offers withdrawn, every key destroyed', async () => {
    const { publisherId, liveOfferId, deletedOfferId, keptAccountId, ledger: crashed } = await start();
    const handler = new CommandHandler(
      crashed.events,
      new EventCodec(new PersonalDataCodec(crashed.keys), systemClock, uuidV7Ids),
    );
    await handler.handle(
      publisherDecider,
      publisherStream(publisherId),
      {
        type: 'ClosePublisherAccount',
        data: { publisherId, now: new Date().toISOString() },
      },
      { context: operator },
    );
    await crashed.close();
    const ledger = await openTestLedger(data.dir);
    reopened = ledger;
    await ledger.runner.start();

    const result = await ledger.services.erasure.closeAccount({ publisherId }, operator);
    // the publisher's people were erased by the crashed attempt: the retry erases only the offers' contacts
    expect([...result.subjectIds].sort()).toEqual(
      [offerSupportSubject(liveOfferId), offerSupportSubject(deletedOfferId)].sort(),
    );
    expect(
      (
        await ledger.keys.getMany([
          ...result.subjectIds,
          contactSubject(publisherId),
          aadAccountSubject(publisherId, keptAccountId),
        ])
      ).size,
    ).toBe(0);
    await caughtUp(ledger);
    expect(await ledger.services.offerQueries.byIds([liveOfferId])).toEqual([null]);
    const publisherEvents = await ledger.events.readStream(publisherStream(publisherId));
    expect(publisherEvents.filter((e) => e.type === 'PublisherAccountClosed')).toHaveLength(1);
    expect((await records(ledger, publisherId)).map((r) => 'target' in r && r.target)).toEqual(['publisher']);
  });
});
