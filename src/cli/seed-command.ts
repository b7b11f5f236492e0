import { uuidV7Ids } from '../clock.js';
import type { CommandContext } from '../events/store/event-codec.js';
import type { Config } from '../server/config.js';
import { openLedger, type Ledger } from '../server/ledger.js';
import { UsageError } from './args.js';
import { prepareDataDir } from './data-dir.js';
import { DEMO_COLLEAGUES, DEMO_OFFERS, DEMO_PUBLISHERS, DEMO_SUPPORT, demoUscc } from './seed-data.js';
import { liveHolder } from './serve-lock.js';

/** What `seed` wrote, for its summary and for tests. */
export interface SeedSummary {
  publishers: number;
  offers: number;
  erasures: number;
  closed: number;
  /** a member's object id, to mint a token that sees a publisher as its member */
  memberObjectId: string;
}

/**
 * `privacy-ledger seed`: demo data in a new ledger, written through the same
 * services the API uses (so the log, the read models, the audit trail and
 * the privacy requests are what real use would make): publishers in every
 * registration state, their accounts, offers with support contacts, some
 * erasures and one closed account.
 */
export async function seedCommand(config: Config): Promise<number> {
  const holder = liveHolder(config.dataDir);
  if (holder !== null)
    throw new UsageError(
      `a server (pid ${holder}) is running on ${config.dataDir}; stop it, seed, then start it again.`,
    );
  prepareDataDir(config.dataDir);
  const ledger = await openLedger(config);
  try {
    const events = await ledger.events.headPosition();
    if (events > 0)
      throw new UsageError(
        `${config.dataDir} already holds a ledger (${events} events); seed fills a new one: choose an empty --data-dir.`,
      );
    const summary = await seed(ledger);
    process.stdout.write(
      `seeded ${config.dataDir}: ${summary.publishers} publishers, ${summary.offers} offers, ${summary.erasures} erasures, ${summary.closed} closed account\n` +
        'start the server (privacy-ledger serve) and mint a token:\n' +
        '  privacy-ledger token --role operator\n' +
        `  privacy-ledger token --role member --oid ${summary.memberObjectId}\n`,
    );
    return 0;
  } finally {
    await ledger.close();
  }
}

export async function seed(ledger: Pick<Ledger, 'services'>): Promise<SeedSummary> {
  const { publishers, offers, erasure } = ledger.services;
  const operator = context({ id: uuidV7Ids.next(), kind: 'user', role: 'operator' });
  const summary: SeedSummary = { publishers: 0, offers: 0, erasures: 0, closed: 0, memberObjectId: '' };
  const registered: { id: string; version: number; member: CommandContext; accountObjectId: string }[] = [];
  for (const [i, demo] of DEMO_PUBLISHERS.entries()) {
    const objectId = uuidV7Ids.next();
    const member = context({ id: objectId, kind: 'user', role: 'member' });
    const change = await publishers.register(
      {
        companyName: demo.companyName,
        registrationCode: demoUscc(demo.division, i + 1),
        contact: demo.contact,
        contactPreferences: { aboutOffers: true, aboutFeedback: i % 2 === 0, byEmail: true, byPhone: i % 3 === 0 },
      },
      member,
      { objectId, ...demo.member },
    );
    registered.push({ id: change.publisher.id, version: change.version, member, accountObjectId: objectId });
    summary.publishers++;
  }
  summary.memberObjectId = registered[0]!.accountObjectId;
  // Most are approved; one is rejected, one stays pending for an operator to decide.
  for (const [i, p] of registered.entries()) {
    if (i === registered.length - 1) continue;
    const change =
      i === registered.length - 2
        ? await publishers.reject(
            {
              id: p.id,
              expectedVersion: p.version,
              reason: '营业执照照片不清晰 / the business licence scan is unreadable',
            },
            operator,
          )
        : await publishers.approve({ id: p.id, expectedVersion: p.version }, operator);
    p.version = change.version;
  }
  // A colleague joins two publishers; the contact of one changes.
  for (const [i, colleague] of DEMO_COLLEAGUES.entries()) {
    const p = registered[i]!;
    p.version = (
      await publishers.addAadUser(
        { id: p.id, expectedVersion: p.version, objectId: uuidV7Ids.next(), ...colleague },
        p.member,
      )
    ).version;
  }
  const moved = registered[1]!;
  moved.version = (
    await publishers.updateContact(
      { id: moved.id, expectedVersion: moved.version, contact: { telephone: '+86 139 8765 4321' } },
      moved.member,
    )
  ).version;
  // Offers for the approved publishers, with support contacts; most are published.
  const offerIds: string[] = [];
  for (const [i, p] of registered.slice(0, -2).entries()) {
    for (let k = 0; k < 2 - (i % 2); k++) {
      const demo = DEMO_OFFERS[(i + k) % DEMO_OFFERS.length]!;
      const created = await offers.create({ publisherId: p.id, name: demo.name, kind: demo.kind }, p.member);
      const id = created.offer!.id;
      const support = [DEMO_SUPPORT[(i + k) % DEMO_SUPPORT.length]!, DEMO_SUPPORT[(i + k + 1) % DEMO_SUPPORT.length]!];
      const staffed = await offers.updateCustomerService(
        { id, expectedVersion: created.version, supportContacts: support },
        p.member,
      );
      if ((i + k) % 3 !== 2) await offers.publish({ id, expectedVersion: staffed.version }, p.member);
      offerIds.push(id);
      summary.offers++;
    }
  }
  // Privacy in use: a contact erased, an offer's support contacts erased, one account closed.
  await erasure.erase({ publisherId: registered[2]!.id, target: 'CONTACT' }, operator);
  await erasure.erase({ publisherId: registered[0]!.id, target: 'OFFER_SUPPORT', offerId: offerIds[0]! }, operator);
  summary.erasures += 2;
  await erasure.closeAccount({ publisherId: registered[3]!.id }, registered[3]!.member);
  summary.closed++;
  return summary;
}

function context(actor: CommandContext['actor']): CommandContext {
  return { actor, correlationId: uuidV7Ids.next() };
}
