import path from 'node:path';
import { PersonalDataCodec } from '../src/privacy/personal-data-codec.js';
import { OfferQueries } from '../src/projections/offer/offer.queries.js';
import { offerProjection, OFFERS } from '../src/projections/offer/offer.projection.js';
import { PublisherQueries } from '../src/projections/publisher/publisher.queries.js';
import { PUBLISHERS } from '../src/projections/publisher/publisher.projection.js';
import type { Doc, ReadStore } from '../src/projections/store/read-store.js';
import { SqliteReadStore } from '../src/projections/store/sqlite/sqlite-read-store.js';
import { openLedger } from '../src/server/ledger.js';
import type { Row } from './table.js';

const quick = process.env['BENCH_QUICK'] === '1';
const context = { actor: { id: 'bench', kind: 'system' as const }, correlationId: 'bench' };

/**
 * What sealing costs the read path: a publisher with its contact and 50
 * offers with their customer-service contacts, read the way the GraphQL
 * resolvers read them (one publisher by id, one page of 50 offers), from
 * the real read models, whose personal values are sealed, and from a copy of
 * the same documents with every value in clear (the baseline, in the same
 * run, rounds interleaved). "Steady" is a running server's case (values
 * opened before are cached per subject and key); "first read" gives each
 * round a fresh codec, so every value is decrypted again.
 */
export async function decryptionBenchmark(dir: string): Promise<Row[]> {
  const ledger = await openLedger({ dataDir: path.join(dir, 'decryption'), readYourWritesTimeoutMs: 60_000 });
  const plain = SqliteReadStore.open(path.join(dir, 'decryption-plain', 'read-models.sqlite'));
  try {
    await ledger.runner.start();
    const publisherId = await seed(ledger.services);
    await ledger.runner.waitFor(await ledger.events.headPosition(), 60_000);
    const codec = new PersonalDataCodec(ledger.keys);
    await copyInClear(ledger.reads, plain, codec);

    const read = (store: ReadStore, personalData: PersonalDataCodec) => async () => {
      await new PublisherQueries(store, personalData).byIds([publisherId]);
      await new OfferQueries(store, personalData).forPublisher(publisherId, {}, 50);
    };
    const steady = await interleaved(read(ledger.reads, codec), read(plain, codec));
    const first = await interleaved(
      () => read(ledger.reads, new PersonalDataCodec(ledger.keys))(),
      () => read(plain, new PersonalDataCodec(ledger.keys))(),
    );
    const note =
      'a publisher + a page of 50 offers (153 personal values), sealed vs the same documents in clear, rounds interleaved';
    return [
      {
        name: 'read path, sealed values (steady)',
        value: steady.ours,
        unit: 'µs/read',
        baseline: { value: steady.baseline, unit: 'µs/read' },
        target: { max: steady.baseline * 1.15 },
        note,
      },
      {
        name: 'read path, sealed values (first read, every value decrypted)',
        value: first.ours,
        unit: 'µs/read',
        baseline: { value: first.baseline, unit: 'µs/read' },
      },
    ];
  } finally {
    await plain.close();
    await ledger.close();
  }
}

async function seed(services: Awaited<ReturnType<typeof openLedger>>['services']): Promise<string> {
  const { publisher } = await services.publishers.register(
    {
      companyName: 'Contoso China',
      registrationCode: '91350100M000100Y43',
      contact: { name: 'Li Lei', telephone: '+8613800138000', email: 'li.lei@contoso.cn' },
    },
    context,
  );
  for (let i = 0; i < 50; i++) {
    const created = await services.offers.create(
      { publisherId: publisher.id, name: `Offer ${i}`, kind: 'VIRTUAL_MACHINE' },
      context,
    );
    await services.offers.updateCustomerService(
      {
        id: created.offer!.id,
        expectedVersion: 1,
        supportContacts: [{ name: 'Support Desk', qq: `${10000 + i}`, email: 'help@contoso.cn' }],
      },
      context,
    );
  }
  return publisher.id;
}

/** The publishers and offers read models, every personal value opened, into `to` (same collections and indexes). */
async function copyInClear(from: ReadStore, to: ReadStore, codec: PersonalDataCodec): Promise<void> {
  for (const collection of [PUBLISHERS, OFFERS]) {
    const spec = offerProjection.collections.find((c) => c.name === collection);
    await to.ensureCollection(collection, spec?.indexes ?? []);
    const docs: Doc[] = [];
    let after: string | undefined;
    do {
      const page = await from.find<Doc>(collection, { first: 500, ...(after ? { after } : {}) });
      docs.push(...page.items);
      after = page.hasNextPage ? page.endCursor! : undefined;
    } while (after);
    const opened = await codec.openMany(docs);
    await to.write(opened.map((doc) => ({ kind: 'upsert' as const, collection, doc: doc as Doc })));
  }
}

/** Median µs per call of each, over rounds that alternate the two so machine noise falls on both. */
async function interleaved(
  ours: () => Promise<void>,
  baseline: () => Promise<void>,
): Promise<{ ours: number; baseline: number }> {
  const rounds = quick ? 5 : 15;
  const calls = quick ? 100 : 400;
  const time = async (f: () => Promise<void>) => {
    const start = performance.now();
    for (let i = 0; i < calls; i++) await f();
    const micros = ((performance.now() - start) * 1000) / calls;
    // Reads here are microtasks only, and V8 keeps every object a WeakRef was
    // made for until the microtask queue drains (caches register with their
    // sweep, codecs with the key store that way): a whole run without a turn
    // of the event loop kept every round's fresh codecs, over 4 GB. A server
    // turns the loop between requests; so does each round here, untimed.
    await new Promise((resolve) => setImmediate(resolve));
    return micros;
  };
  await time(ours);
  await time(baseline);
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < rounds; round++) {
    a.push(await time(ours));
    b.push(await time(baseline));
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return { ours: median(a), baseline: median(b) };
}
