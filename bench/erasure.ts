import path from 'node:path';
import { uuidV7Ids } from '../src/clock.js';
import type { DomainEvent } from '../src/events/decider.js';
import { EventCodec } from '../src/events/store/event-codec.js';
import { offerStream } from '../src/events/offer/offer.events.js';
import { noContact, publisherStream } from '../src/events/publisher/publisher.events.js';
import { PersonalDataCodec } from '../src/privacy/personal-data-codec.js';
import { systemClock } from '../src/clock.js';
import { openLedger, type Ledger } from '../src/server/ledger.js';
import { actorSchemeBenchmark } from './actor-scheme.js';
import type { Row } from './table.js';

const quick = process.env['BENCH_QUICK'] === '1';
const context = { actor: { id: 'bench', kind: 'system' as const }, correlationId: 'bench' };

/**
 * `closePublisherAccount` on a publisher whose streams hold 10k events: its
 * own stream (contact changes, 60 AAD accounts added, 50 of them removed)
 * and 50 offers (10 deleted) with 100 customer-service changes each. Run
 * through the service the resolver calls, on a ledger opened afresh (no
 * cached states), with the projections caught up as in a running server.
 * Baseline: reading those 10k events from the log, in the same run.
 */
export async function erasureBenchmark(dir: string): Promise<Row[]> {
  const rounds = quick ? 1 : 3;
  const times: number[] = [];
  const baselines: number[] = [];
  let subjects = 0;
  for (let round = 0; round < rounds; round++) {
    const dataDir = path.join(dir, `erasure-${round}`);
    const seeded = await openLedger({ dataDir, readYourWritesTimeoutMs: 60_000 });
    const { publisherId, streams } = await seed(seeded);
    await seeded.close();

    const ledger = await openLedger({ dataDir, readYourWritesTimeoutMs: 60_000 });
    try {
      await ledger.runner.start();
      await ledger.runner.waitFor(await ledger.events.headPosition(), 60_000);
      let t = performance.now();
      for (const stream of streams) await ledger.events.readStream(stream);
      baselines.push(performance.now() - t);
      t = performance.now();
      const result = await ledger.services.erasure.closeAccount({ publisherId }, context);
      times.push(performance.now() - t);
      subjects = result.subjectIds.length;
    } finally {
      await ledger.close();
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const actorScheme = await actorSchemeBenchmark(dir);
  return [
    {
      name: 'close a publisher account (10k events)',
      value: median(times),
      unit: 'ms',
      baseline: { value: median(baselines), unit: 'ms' },
      target: { max: 1000 },
      note: `${subjects} data subjects erased (keys destroyed, WAL truncated); median of ${rounds}; baseline: reading the same 10k events`,
    },
    ...actorScheme,
  ];
}

/** The publisher and its offers, 10,000 events in all, appended in batches of 100. */
async function seed(ledger: Ledger): Promise<{ publisherId: string; streams: string[] }> {
  const codec = new EventCodec(new PersonalDataCodec(ledger.keys), systemClock, uuidV7Ids);
  const publisherId = uuidV7Ids.next();
  const at = new Date().toISOString();
  const own: DomainEvent[] = [
    {
      type: 'PublisherRegistered',
      data: {
        publisherId,
        companyName: 'Contoso China',
        registrationCode: '91350100M000100Y43',
        contactPreferences: noContact,
        contact: { name: 'Li Lei', telephone: '+8613800138000', email: 'li.lei@contoso.cn' },
        registeredAt: at,
      },
    },
  ];
  for (let i = 0; i < 60; i++) {
    const accountId = uuidV7Ids.next();
    own.push({
      type: 'AadUserAdded',
      data: {
        publisherId,
        user: {
          accountId,
          objectId: uuidV7Ids.next(),
          userPrincipalName: `u${i}@contoso.cn`,
          displayName: `User ${i}`,
          addedAt: at,
          addedBy: 'bench',
        },
      },
    });
    if (i < 50) own.push({ type: 'AadUserRemoved', data: { publisherId, accountId, removedAt: at } });
  }
  while (own.length < 5000)
    own.push({
      type: 'ContactUpdated',
      data: { publisherId, contact: { email: `p${own.length}@contoso.cn` }, updatedAt: at },
    });
  const streams = [publisherStream(publisherId)];
  await append(ledger, codec, streams[0]!, own);
  for (let o = 0; o < 50; o++) {
    const offerId = uuidV7Ids.next();
    const events: DomainEvent[] = [
      {
        type: 'OfferCreated',
        data: { offerId, publisherId, name: `Offer ${o}`, kind: 'VIRTUAL_MACHINE', createdAt: at },
      },
    ];
    while (events.length < (o < 10 ? 99 : 100)) {
      events.push({
        type: 'OfferCustomerServiceUpdated',
        data: {
          offerId,
          publisherId,
          supportContacts: [
            { name: 'Desk', qq: String(10000 + events.length), email: `desk${events.length}@contoso.cn` },
          ],
          updatedAt: at,
        },
      });
    }
    if (o < 10) events.push({ type: 'OfferDeleted', data: { offerId, publisherId, deletedAt: at } });
    streams.push(offerStream(offerId));
    await append(ledger, codec, offerStream(offerId), events);
  }
  return { publisherId, streams };
}

async function append(ledger: Ledger, codec: EventCodec, stream: string, events: DomainEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 100) {
    await ledger.events.append(stream, await codec.encode(events.slice(i, i + 100), context), {
      expectedRevision: 'any',
    });
  }
}
