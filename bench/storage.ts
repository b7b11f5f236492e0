import fs from 'node:fs';
import path from 'node:path';
import { systemClock, uuidV7Ids } from '../src/clock.js';
import { EventCodec } from '../src/events/event-codec.js';
import type { NewEvent } from '../src/events/event-envelope.js';
import { noContact, type PublisherEvent } from '../src/events/publisher/publisher.events.js';
import { SqliteEventStore } from '../src/events/sqlite/sqlite-event-store.js';
import { PersonalDataCodec } from '../src/privacy/personal-data-codec.js';
import { openLedger } from '../src/server/ledger.js';
import { ratePerSecond, type Row } from './table.js';

const quick = process.env['BENCH_QUICK'] === '1';
const seconds = quick ? 500 : 2_000;

/** fdatasync after appending a block to a file: what any durable store pays per commit. */
function rawFsync(dir: string, bytes: number): Promise<number> {
  const fd = fs.openSync(path.join(dir, `raw-${bytes}`), 'w');
  const block = Buffer.alloc(bytes, 1);
  return ratePerSecond(seconds, () => {
    fs.writeSync(fd, block);
    fs.fdatasyncSync(fd);
    return 1;
  }).finally(() => fs.closeSync(fd));
}

const testEvent = (): NewEvent => ({
  eventId: uuidV7Ids.next(),
  type: 'BenchEvent',
  schemaVersion: 1,
  occurredAt: new Date().toISOString(),
  data: { publisherId: 'p', field: 'value', n: 1 },
  metadata: { actor: { id: 'bench', kind: 'system' }, correlationId: 'bench' },
});

export async function appendBenchmarks(dir: string): Promise<Row[]> {
  const raw64 = await rawFsync(dir, 64);
  const raw4k = await rawFsync(dir, 4096);
  const store = SqliteEventStore.open(path.join(dir, 'appends.sqlite'));
  try {
    const single = await ratePerSecond(seconds, async (i) => {
      await store.append(`single-${i}`, [testEvent()], { expectedRevision: 'no_stream' });
      return 1;
    });
    const batched = await ratePerSecond(seconds, async (i) => {
      await store.append(`batch-${i}`, Array.from({ length: 100 }, testEvent), { expectedRevision: 'no_stream' });
      return 100;
    });
    return [
      { name: 'raw fsync, 64 B appends', value: raw64, unit: 'ops/s' },
      { name: 'raw fsync, 4 KiB appends (baseline)', value: raw4k, unit: 'ops/s' },
      {
        name: 'durable single-event appends',
        value: single,
        unit: 'ev/s',
        baseline: { value: raw4k, unit: 'fsync/s' },
        target: { min: 0.7, ratio: true },
        note: `${(single / raw64).toFixed(2)} of the 64 B fsync rate; each commit writes at least three 4 KiB pages (row, two unique indexes)`,
      },
      { name: 'batched appends (100 per call, one stream each)', value: batched, unit: 'ev/s', target: { min: 50_000, ratio: false } },
    ];
  } finally {
    await store.close();
  }
}

/** 100k realistic publisher events (contact values sealed as in production), then a full replay. */
export async function catchUpBenchmark(dir: string): Promise<Row[]> {
  const publishers = quick ? 1_000 : 10_000;
  const ledger = openLedger({ dataDir: path.join(dir, 'catch-up'), readYourWritesTimeoutMs: 1_000 });
  try {
    const codec = new EventCodec(new PersonalDataCodec(ledger.keys), systemClock, uuidV7Ids);
    const context = { actor: { id: 'bench', kind: 'system' as const }, correlationId: 'bench' };
    const generating = performance.now();
    for (let p = 0; p < publishers; p++) {
      const publisherId = uuidV7Ids.next();
      const now = new Date().toISOString();
      const events: PublisherEvent[] = [
        {
          type: 'PublisherRegistered',
          data: { publisherId, companyName: `Company ${p}`, registrationCode: '91350100M000100Y43', contactPreferences: noContact, contact: { name: `Person ${p}`, telephone: '+8613800138000', email: `p${p}@example.cn` }, registeredAt: now },
        },
      ];
      for (let i = 0; i < 9; i++) {
        events.push({ type: 'ContactUpdated', data: { publisherId, contact: { email: `p${p}.${i}@example.cn` }, updatedAt: now } });
      }
      await ledger.events.append(`publisher-${publisherId}`, await codec.encode(events, context), { expectedRevision: 'no_stream' });
    }
    const generated = (performance.now() - generating) / 1000;
    const total = publishers * 10;
    const replaying = performance.now();
    await ledger.runner.rebuild('publishers');
    const rate = total / ((performance.now() - replaying) / 1000);
    return [
      {
        name: `projection catch-up (${total.toLocaleString('en-US')} events)`,
        value: rate,
        unit: 'ev/s',
        target: { min: 150_000, ratio: false },
        note: `generating the log (codec + sealing + batched appends of 10) took ${generated.toFixed(1)} s`,
      },
    ];
  } finally {
    await ledger.close();
  }
}
