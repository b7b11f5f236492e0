import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { systemClock, uuidV7Ids } from '../src/clock.js';
import { CommandHandler } from '../src/events/command-handler.js';
import { EventCodec, type CommandContext } from '../src/events/store/event-codec.js';
import { Idempotency } from '../src/events/idempotency.js';
import { PublisherService } from '../src/events/publisher/publisher.service.js';
import { RegistrationCodeService } from '../src/events/registration-code/registration-code.service.js';
import { PersonalDataCodec } from '../src/privacy/personal-data-codec.js';
import { AuditQueries } from '../src/projections/audit-trail/audit-trail.queries.js';
import { openLedger } from '../src/server/ledger.js';
import type { Row } from './table.js';

const quick = process.env['BENCH_QUICK'] === '1';

/**
 * What naming actors by account (src/privacy/actor-references.ts) costs,
 * each against the same work without the scheme, interleaved in one run on
 * one ledger:
 * - a member's mutation (updateContactPreferences through the service the
 *   resolver calls): the scheme finds the member's account in the
 *   publisher's stream and seals its object id under the account's key;
 *   baseline: the same service over a codec that records the actor as given
 *   (object id in clear, as the build before references did), on a second
 *   publisher so neither reads the other's events;
 * - an auditTrail page of 50 by publisher: the scheme opens each entry's
 *   sealed object id to show who it is (AuditActor.objectId/erased), as the
 *   resolver does; baseline: the same page read without showing actors;
 * - an auditTrail page of 50 filtered by an object id: the scheme looks up the
 *   person's reference and accounts (membership index) and merges a page per
 *   id; baseline: the page filtered by the account id the entries hold.
 */
export async function actorSchemeBenchmark(dir: string): Promise<Row[]> {
  const ledger = await openLedger(
    { dataDir: path.join(dir, 'actor-scheme'), readYourWritesTimeoutMs: 60_000 },
    { projectionThread: false },
  );
  try {
    await ledger.runner.start();
    const { services } = ledger;
    const plainHandler = new CommandHandler(
      ledger.events,
      new EventCodec(new PersonalDataCodec(ledger.keys), systemClock, uuidV7Ids),
    );
    const plain = new PublisherService(
      plainHandler,
      systemClock,
      uuidV7Ids,
      new Idempotency(randomBytes(32), ledger.keys),
      services.actors,
      new RegistrationCodeService(plainHandler),
    );
    const objectId = '0be0a1c3-0000-4000-8000-00000000be0c';
    const member: CommandContext = { actor: { id: objectId, kind: 'user', role: 'member' }, correlationId: 'bench' };
    const registrant = { objectId, userPrincipalName: 'bench.member@contoso.cn', displayName: 'Bench Member' };
    const contact = { name: 'Li Lei', telephone: '+8613800138000', email: 'li.lei@contoso.cn' };
    const withScheme = await services.publishers.register(
      { companyName: 'Scheme', registrationCode: '91350100M000100Y43', contact },
      member,
      registrant,
    );
    const without = await plain.register(
      { companyName: 'Plain', registrationCode: '91110000600037341L', contact },
      member,
      registrant,
    );

    const rounds = quick ? 100 : 1000;
    const versions = { scheme: withScheme.version, plain: without.version };
    const mutationTimes = { scheme: 0, plain: 0 };
    for (let i = 0; i < rounds; i++) {
      const contactPreferences = { aboutOffers: i % 2 === 0, aboutFeedback: true, byEmail: true, byPhone: false };
      let t = performance.now();
      versions.scheme = (
        await services.publishers.updateContactPreferences(
          { id: withScheme.publisher.id, expectedVersion: versions.scheme, contactPreferences },
          member,
        )
      ).version;
      mutationTimes.scheme += performance.now() - t;
      t = performance.now();
      versions.plain = (
        await plain.updateContactPreferences(
          { id: without.publisher.id, expectedVersion: versions.plain, contactPreferences },
          member,
        )
      ).version;
      mutationTimes.plain += performance.now() - t;
    }
    await ledger.runner.waitFor(await ledger.events.headPosition(), 60_000);

    const accountId = withScheme.publisher.aadUsers[0]!.accountId;
    const unfiltered = new AuditQueries(ledger.reads, { filterIds: async (actorId) => [actorId] });
    const pages = quick ? 50 : 500;
    const pageTimes = { shown: 0, plain: 0, byObjectId: 0, byAccount: 0 };
    for (let i = 0; i < pages; i++) {
      let t = performance.now();
      const page = await services.auditQueries.page({ publisherId: withScheme.publisher.id }, 50);
      await services.actors.shown(page.items.map((entry) => entry.actor));
      pageTimes.shown += performance.now() - t;
      t = performance.now();
      await unfiltered.page({ publisherId: withScheme.publisher.id }, 50);
      pageTimes.plain += performance.now() - t;
      t = performance.now();
      const byPerson = await services.auditQueries.page({ actorId: objectId }, 50);
      pageTimes.byObjectId += performance.now() - t;
      t = performance.now();
      const byAccount = await unfiltered.page({ actorId: accountId }, 50);
      pageTimes.byAccount += performance.now() - t;
      if (i === 0 && (byPerson.items.length !== 50 || byAccount.items.length !== 50))
        throw new Error('the filtered pages found other entries than the bench wrote');
    }
    const per = (total: number, n: number) => total / n;
    return [
      {
        name: 'member mutation, actor named by account',
        value: per(mutationTimes.scheme, rounds),
        unit: 'ms',
        baseline: { value: per(mutationTimes.plain, rounds), unit: 'ms' },
        note: `updateContactPreferences through the service, mean of ${rounds}; baseline: the same over a codec that records the actor as given (no account lookup, no sealing), interleaved`,
      },
      {
        name: 'auditTrail page of 50, actors shown',
        value: per(pageTimes.shown, pages),
        unit: 'ms',
        baseline: { value: per(pageTimes.plain, pages), unit: 'ms' },
        note: `by publisher, mean of ${pages}; baseline: the same page without opening the actors' sealed object ids`,
      },
      {
        name: 'auditTrail page of 50, filtered by object id',
        value: per(pageTimes.byObjectId, pages),
        unit: 'ms',
        baseline: { value: per(pageTimes.byAccount, pages), unit: 'ms' },
        note: `mean of ${pages}; scheme: the person's reference and accounts looked up, a page per id merged; baseline: the page filtered by the account id the entries hold`,
      },
    ];
  } finally {
    await ledger.close();
  }
}
