import path from 'node:path';
import { uuidV7Ids, type Clock } from '../src/clock.js';
import { EventCodec } from '../src/events/store/event-codec.js';
import type { NewEvent } from '../src/events/store/event-envelope.js';
import { publisherStream, type PublisherEvent } from '../src/events/publisher/publisher.events.js';
import { PersonalDataCodec } from '../src/privacy/personal-data-codec.js';
import { openLedger } from '../src/server/ledger.js';
import { contactChange, registration } from './publisher-events.js';
import type { Row } from './table.js';

const quick = process.env['BENCH_QUICK'] === '1';

/** The p-th percentile (0..100) of some durations. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * `publisher(id, asOf)` on one publisher whose stream holds 10k events
 * (registered, then contact changes rotating over its three personal
 * fields, one second apart), at random instants across its life, through
 * the service the resolver calls (fold from snapshots + one open).
 */
export async function asOfBenchmark(dir: string): Promise<Row[]> {
  const events = 10_000;
  const queries = quick ? 300 : 3_000;
  const start = Date.UTC(2026, 0, 1);
  let now = start;
  const clock: Clock = { now: () => new Date(now) };
  const ledger = await openLedger({ dataDir: path.join(dir, 'as-of'), readYourWritesTimeoutMs: 1_000 });
  try {
    const personalData = new PersonalDataCodec(ledger.keys);
    const codec = new EventCodec(personalData, clock, uuidV7Ids);
    const context = { actor: { id: 'bench', kind: 'system' as const }, correlationId: 'bench' };
    const publisherId = uuidV7Ids.next();
    const stream = publisherStream(publisherId);
    const generating = performance.now();
    let batch: NewEvent[] = [];
    for (let j = 0; j < events; j++) {
      now = start + j * 1000; // each event its own second: encode stamps the clock's instant
      const at = new Date(now).toISOString();
      const event: PublisherEvent = j === 0 ? registration(publisherId, 0, at) : contactChange(publisherId, 0, j, at);
      batch.push(...(await codec.encode([event], context)));
      if (batch.length === 100 || j === events - 1) {
        await ledger.events.append(stream, batch, { expectedRevision: 'any' });
        batch = [];
      }
    }
    const generated = (performance.now() - generating) / 1000;

    const instant = () => new Date(start + Math.floor(Math.random() * events * 1000)).toISOString();
    // Cold: snapshots live in memory, so the first query on a stream after a
    // start folds it from its first event (and leaves a snapshot every 64 events).
    const service = ledger.services.pointInTime;
    const coldStarted = performance.now();
    await service.publisher(publisherId, new Date(start + events * 1000).toISOString());
    const coldMs = performance.now() - coldStarted;
    for (let i = 0; i < 50; i++) await service.publisher(publisherId, instant()); // JIT warm-up
    // Baseline, interleaved so both see the same machine: one indexed read of the stream's last event.
    const durations: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < queries; i++) {
      const at = instant();
      let t = performance.now();
      const view = await service.publisher(publisherId, at);
      durations.push(performance.now() - t);
      if (!view) throw new Error('asOf bench: a publisher read as not found inside its own life');
      t = performance.now();
      await ledger.events.readStream(stream, { direction: 'backwards', maxCount: 1 });
      baseline.push(performance.now() - t);
    }
    durations.sort((a, b) => a - b);
    baseline.sort((a, b) => a - b);
    return [
      {
        name: `asOf on a ${events.toLocaleString('en-US')}-event stream, p99`,
        value: percentile(durations, 99),
        unit: 'ms',
        baseline: { value: percentile(baseline, 99), unit: 'ms' },
        target: { max: 20 },
        note:
          `${queries} queries at random instants; baseline: p99 of reading the stream's last event, interleaved; p50 ${percentile(durations, 50).toFixed(2)} ms; first query with no snapshots yet ` +
          `(folds all ${events.toLocaleString('en-US')} events) ${coldMs.toFixed(1)} ms; stream generated in ${generated.toFixed(1)} s`,
      },
    ];
  } finally {
    await ledger.close();
  }
}
