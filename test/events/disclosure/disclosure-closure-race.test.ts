import { afterEach, describe, expect, it } from 'vitest';
import { systemClock, uuidV7Ids } from '../../../src/clock.js';
import { CommandHandler } from '../../../src/events/command-handler.js';
import { DisclosureService } from '../../../src/events/disclosure/disclosure.service.js';
import { EventCodec } from '../../../src/events/store/event-codec.js';
import type { Idempotency } from '../../../src/events/idempotency.js';
import { publisherDecider } from '../../../src/events/publisher/publisher.commands.js';
import { publisherStream } from '../../../src/events/publisher/publisher.events.js';
import { disclosureRecipientsSubject } from '../../../src/privacy/data-subjects.js';
import { PersonalDataCodec } from '../../../src/privacy/personal-data-codec.js';
import type { Ledger } from '../../../src/server/ledger.js';
import { tempDir } from '../../projections/fixtures.js';
import { openTestLedger, operator, values } from '../erasure/erasure-fixture.js';

/**
 * A disclosure recorded while its publisher's account is closing: the
 * service saw the account open, the closure then found no disclosure to
 * erase, and the disclosure is appended after it. Its recipient must be
 * erased all the same (nothing of a closed account's disclosures stays
 * readable).
 */
describe('a disclosure racing the closure of its account', () => {
  let data: ReturnType<typeof tempDir>;
  let ledger: Ledger;
  afterEach(async () => {
    await ledger.close();
    data.remove();
  });

  it('is recorded, and its recipient erased with the account it came too late for', async () => {
    data = tempDir('pl-disclosure-race-');
    ledger = await openTestLedger(data.dir);
    await ledger.runner.start();
    const { publisher } = await ledger.services.publishers.register(
      { companyName: 'Contoso China', registrationCode: '91350100M000100Y43', contact: values.contact },
      operator,
    );
    const publisherId = publisher.id;

    // What the racing request read before the closure: the account open.
    const handler = new CommandHandler(
      ledger.events,
      new EventCodec(new PersonalDataCodec(ledger.keys), systemClock, uuidV7Ids),
    );
    const seenOpen = await handler.load(publisherDecider, publisherStream(publisherId));
    expect(seenOpen.state.status === 'registered' && seenOpen.state.registrationStatus).toBe('PENDING');

    await ledger.services.erasure.closeAccount({ publisherId }, operator);

    let looked = false;
    const racing = Object.create(handler) as CommandHandler;
    racing.load = (async (decider: never, streamId: string) => {
      if (!looked && streamId === publisherStream(publisherId)) {
        looked = true;
        return seenOpen;
      }
      return handler.load(decider, streamId);
    }) as CommandHandler['load'];
    // no idempotency key in this request: the service never asks for one
    const service = new DisclosureService(
      racing,
      systemClock,
      uuidV7Ids,
      {} as Idempotency,
      ledger.services.actors,
      (id, context) => ledger.services.erasure.eraseDisclosureRecipients(id, context),
    );
    const recorded = await service.record(
      {
        publisherId,
        recipientName: 'Yuexin Baolan',
        recipientCountry: 'CN',
        fields: ['contact person email'],
        legalBasis: 'COMPELLED_BY_LAW',
        notice: { notified: true },
      },
      operator,
    );

    expect((await ledger.keys.getMany([disclosureRecipientsSubject(publisherId)])).size).toBe(0);
    await ledger.runner.waitFor(await ledger.events.headPosition(), 10_000);
    const { items } = await ledger.services.disclosureQueries.forPublisher(publisherId, true, 10);
    expect(items.map((d) => ({ id: d.id, recipient: d.recipient }))).toEqual([
      { id: recorded.id, recipient: { name: null, country: 'CN', erased: true } },
    ]);
  });
});
