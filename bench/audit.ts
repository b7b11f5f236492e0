import os from 'node:os';
import path from 'node:path';
import { uuidV7Ids } from '../src/clock.js';
import { EventCodec } from '../src/events/store/event-codec.js';
import type { NewEvent } from '../src/events/store/event-envelope.js';
import { noContact, publisherStream, type PublisherEvent } from '../src/events/publisher/publisher.events.js';
import { PersonalDataCodec } from '../src/privacy/personal-data-codec.js';
import type { AuditFilter } from '../src/projections/audit-trail/audit-trail.queries.js';
import { auditProjection } from '../src/projections/audit-trail/audit-trail.projection.js';
import { ProjectionRunner } from '../src/projections/runner/projection-runner.js';
import { openLedger } from '../src/server/ledger.js';
import { contactChange, registration } from './publisher-events.js';
import type { Row } from './table.js';

const quick = process.env['BENCH_QUICK'] === '1';
/** `BENCH_AUDIT_COMPARE=N`: after the rows, N pairs of rebuilds on one thread and on two, alternating, on the same log. */
const comparePairs = Number(process.env['BENCH_AUDIT_COMPARE'] ?? 0);
/** 100 events per publisher stream: 10,000 publishers make the 1M-event log. */
const publishers = quick ? 500 : 10_000;
const samples = quick ? 300 : 2_000;
const actors = 50;
/** Streams appended concurrently: their appends share one transaction and one fsync (group commit). */
const concurrency = 10;
const start = Date.UTC(2026, 0, 1);

/** A stream's 100 events: registration and approval, then contact changes and preference changes. */
function history(publisherId: string, p: number): PublisherEvent[] {
  const at = new Date(start).toISOString();
  const events: PublisherEvent[] = [
    registration(publisherId, p, at),
    { type: 'PublisherApproved', data: { publisherId, approvedAt: at } },
  ];
  for (let i = 2; i < 100; i++) {
    events.push(
      i % 4 === 0
        ? {
            type: 'ContactPreferencesChanged',
            data: { publisherId, contactPreferences: { ...noContact, byEmail: i % 8 === 0 }, changedAt: at },
          }
        : contactChange(publisherId, p, i, at),
    );
  }
  return events;
}

/** Wall seconds and the process's CPU time (every thread's) of `work`. */
async function timed(work: () => Promise<void>): Promise<{ seconds: number; cpu: NodeJS.CpuUsage }> {
  const started = performance.now();
  const before = process.cpuUsage();
  await work();
  return { seconds: (performance.now() - started) / 1000, cpu: process.cpuUsage(before) };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * A 1M-event log (10,000 publisher streams of 100 events, sealed by the event
 * codec as in production, 50 actors, instants one second apart per stream),
 * appended 100 events per call; then the audit projection rebuilt over it;
 * then pages of `auditTrail` at the query layer (read store and index, no
 * HTTP), each a first page and the page after it, for random filters.
 */
export async function auditBenchmarks(dir: string): Promise<Row[]> {
  const ledger = await openLedger({ dataDir: path.join(dir, 'audit'), readYourWritesTimeoutMs: 1_000 });
  try {
    let tick = 0;
    const clock = { now: () => new Date(start + 1000 * tick++) };
    const codec = new EventCodec(new PersonalDataCodec(ledger.keys), clock, uuidV7Ids);
    const ids = Array.from({ length: publishers }, () => uuidV7Ids.next());
    const generating = performance.now();
    let appending = 0;
    for (let p = 0; p < publishers; p += concurrency) {
      const group = ids.slice(p, p + concurrency);
      const batches = await Promise.all(
        group.map(async (id, i) => {
          const actor = { id: `user-${(p + i) % actors}`, kind: 'user' as const, role: 'publisher' };
          return codec.encode(history(id, p + i), { actor, correlationId: `bench-${p + i}` });
        }),
      );
      const t = performance.now();
      await Promise.all(
        group.map((id, i) =>
          ledger.events.append(publisherStream(id), batches[i] as NewEvent[], { expectedRevision: 'no_stream' }),
        ),
      );
      appending += performance.now() - t;
    }
    const generated = (performance.now() - generating) / 1000;
    const total = await ledger.events.headPosition();

    const { seconds: projected, cpu } = await timed(() => ledger.runner.rebuild('audit'));

    const verifying = performance.now();
    const verified = await ledger.services.integrity.verifyAll();
    const verifySeconds = (performance.now() - verifying) / 1000;
    if (verified.firstBreak || verified.eventsChecked !== total) throw new Error('the generated log does not verify');

    const random = (n: number) => Math.floor(Math.random() * n);
    const span = tick * 1000;
    const shapes: Array<[string, () => AuditFilter]> = [
      ['unfiltered', () => ({})],
      ['by actor', () => ({ actorId: `user-${random(actors)}` })],
      ['by publisher', () => ({ publisherId: ids[random(ids.length)]! })],
      [
        'by event type',
        () => ({ eventTypes: [['ContactUpdated', 'ContactPreferencesChanged', 'PublisherApproved'][random(3)]!] }),
      ],
      [
        'by actor within a day',
        () => {
          const from = start + random(span);
          return {
            actorId: `user-${random(actors)}`,
            from: new Date(from).toISOString(),
            to: new Date(from + 86_400_000).toISOString(),
          };
        },
      ],
      [
        'by two event types',
        () => {
          const types = ['PublisherRegistered', 'PublisherApproved', 'ContactUpdated', 'ContactPreferencesChanged'];
          const a = random(types.length);
          return { eventTypes: [types[a]!, types[(a + 1 + random(types.length - 1)) % types.length]!] };
        },
      ],
    ];
    const rows: Row[] = [
      {
        name: `audit bench log generation (${total.toLocaleString('en-US')} ev)`,
        value: total / generated,
        unit: 'ev/s',
        note: `${generated.toFixed(1)} s in all, ${(appending / 1000).toFixed(1)} s of it inside append (${Math.round(total / (appending / 1000)).toLocaleString('en-US')} ev/s): EventCodec.encode (contact values sealed, one new key per publisher) + appends of 100 events, ${concurrency} streams per group commit`,
      },
      {
        name: `audit projection rebuild (${total.toLocaleString('en-US')} ev)`,
        value: total / projected,
        unit: 'ev/s',
        target: { min: 100_000, ratio: false },
        note: `${projected.toFixed(1)} s (CPU ${(cpu.user / 1e6).toFixed(1)} s user, ${(cpu.system / 1e6).toFixed(1)} s system; load average ${os.loadavg()[0]!.toFixed(1)}); verify reads the same log at ${Math.round(total / verifySeconds).toLocaleString('en-US')} ev/s in this run (the row below)`,
      },
      {
        name: `verify, whole log (${total.toLocaleString('en-US')} ev)`,
        value: total / verifySeconds,
        unit: 'ev/s',
        note: `${verifySeconds.toFixed(1)} s: every hash recomputed from the stored bytes`,
      },
    ];
    for (let pair = 0; pair < comparePairs; pair++) {
      for (const offThread of [false, true]) {
        const runner = new ProjectionRunner(ledger.events, ledger.reads, [auditProjection], {
          lease: { store: ledger.leases, holder: 'bench' },
          rebuildOffThread: offThread,
        });
        const { seconds, cpu } = await timed(() => runner.rebuild('audit'));
        await ledger.reads.eraseRetired(); // the model it replaced, erased in the background: not in the next one's time
        rows.push({
          name: `audit rebuild, ${offThread ? 'two threads' : 'one thread'}, pair ${pair + 1}`,
          value: total / seconds,
          unit: 'ev/s',
          note: `${seconds.toFixed(1)} s (CPU ${(cpu.user / 1e6).toFixed(1)} s user, ${(cpu.system / 1e6).toFixed(1)} s system; load average ${os.loadavg()[0]!.toFixed(1)})`,
        });
      }
    }
    const queries = ledger.services.auditQueries;
    for (const [label, filter] of shapes) {
      // Warm-up: JIT and the statement cache, not counted.
      for (let i = 0; i < 50; i++) await queries.page(filter(), 20);
      const times: number[] = [];
      const load = os.loadavg()[0]!;
      for (let i = 0; i < samples; i++) {
        const f = filter();
        let t = performance.now();
        const page = await queries.page(f, 20);
        times.push(performance.now() - t);
        t = performance.now();
        await queries.page(f, 20, page.endCursor);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      rows.push({
        name: `auditTrail page of 20, ${label}, p99`,
        value: percentile(times, 99),
        unit: 'ms',
        target: { max: 20 },
        note:
          `p50 ${percentile(times, 50).toFixed(2)} ms, max ${times.at(-1)!.toFixed(2)} ms over ${times.length} pages (first and second pages) ` +
          `of a ${total.toLocaleString('en-US')}-entry audit trail; load average ${load.toFixed(1)} on ${os.availableParallelism()} cores`,
      });
    }
    return rows;
  } finally {
    await ledger.close();
  }
}
