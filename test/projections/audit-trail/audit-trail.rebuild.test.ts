import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../../src/events/store/event-envelope.js';
import { SqliteEventStore } from '../../../src/events/store/sqlite/sqlite-event-store.js';
import {
  AUDIT_TRAIL,
  auditIndexes,
  auditProjection,
} from '../../../src/projections/audit-trail/audit-trail.projection.js';
import { AuditQueries, type AuditFilter } from '../../../src/projections/audit-trail/audit-trail.queries.js';
import type { Projection } from '../../../src/projections/projection.js';
import { ProjectionRunner } from '../../../src/projections/runner/projection-runner.js';
import { SqliteReadStore } from '../../../src/projections/store/sqlite/sqlite-read-store.js';
import { tempDir } from '../fixtures.js';

/** Three publishers' streams, interleaved; several events share an instant, so pages break ties by position. */
function streams(): Map<string, NewEvent[]> {
  const out = new Map<string, NewEvent[]>();
  for (let p = 0; p < 3; p++) {
    const publisherId = `pub-${p}`;
    const at = (i: number) => new Date(Date.UTC(2026, 10, 22, 10, Math.floor((p + i) / 3))).toISOString();
    const event = (i: number, type: string, data: Record<string, unknown>): NewEvent => ({
      eventId: `${publisherId}-${i}`,
      type,
      schemaVersion: 1,
      occurredAt: at(i),
      data: { publisherId, ...data },
      metadata: { actor: { id: `user-${(p + i) % 2}`, kind: 'user', role: 'publisher' }, correlationId: 'c' },
    });
    out.set(`publisher-${publisherId}`, [
      event(0, 'PublisherRegistered', { companyName: `Company ${p}`, registeredAt: at(0) }),
      ...Array.from({ length: 6 }, (_, i) =>
        event(i + 1, 'ContactUpdated', { companyName: `Company ${p}.${i}`, updatedAt: at(i + 1) }),
      ),
      event(7, 'PublisherApproved', { approvedAt: at(7) }),
    ]);
  }
  return out;
}

const filters: AuditFilter[] = [
  {},
  { actorId: 'user-1' },
  { publisherId: 'pub-2' },
  { eventTypes: ['ContactUpdated'] },
  { eventTypes: ['PublisherRegistered', 'PublisherApproved'] },
  { actorId: 'user-0', from: '2026-11-22T10:01:00Z', to: '2026-11-22T10:03:00Z' },
];

/** The trail as the audit shape of the release before (5): keyed by event id. */
const keyedById: Projection = {
  ...auditProjection,
  shape: 4,
  collections: [{ name: AUDIT_TRAIL, indexes: auditIndexes }],
};

describe('audit trail rebuilds', () => {
  let tmp: ReturnType<typeof tempDir>;
  let events: SqliteEventStore;
  let reads: SqliteReadStore;
  const queries = () => new AuditQueries(reads, { filterIds: async (id) => [id] });

  beforeEach(async () => {
    tmp = tempDir('pl-audit-rebuild-');
    events = SqliteEventStore.open(path.join(tmp.dir, 'events.sqlite'));
    reads = SqliteReadStore.open(path.join(tmp.dir, 'read.sqlite'));
    const all = [...streams()];
    // interleaved: one event of each stream in turn
    for (let i = 0; i < 8; i++) {
      for (const [stream, list] of all)
        await events.append(stream, [list[i]!], { expectedRevision: i === 0 ? 'no_stream' : i - 1 });
    }
  });
  afterEach(async () => {
    await Promise.all([events.close(), reads.close()]);
    tmp.remove();
  });

  async function run(projection: Projection, then?: (runner: ProjectionRunner) => Promise<void>): Promise<void> {
    const runner = new ProjectionRunner(events, reads, [projection]);
    await runner.start();
    await runner.waitFor(await events.headPosition(), 5_000);
    await then?.(runner);
    await runner.stop();
  }

  /** Every page of each filter, 5 entries a page: positions and cursors. */
  async function everyPage() {
    const out: { positions: number[]; cursors: string[]; endCursor: string | null }[][] = [];
    for (const filter of filters) {
      const pages = [];
      let after: string | null = null;
      for (;;) {
        const page = await queries().page(filter, 5, after);
        pages.push({ positions: page.items.map((e) => e.position), cursors: page.cursors, endCursor: page.endCursor });
        if (!page.hasNextPage) break;
        after = page.endCursor;
      }
      out.push(pages);
    }
    return out;
  }

  it('answers the same pages and cursors after a rebuild as before, and a cursor taken before continues', async () => {
    let before: Awaited<ReturnType<typeof everyPage>> = [];
    let after: typeof before = [];
    await run(auditProjection, async (runner) => {
      before = await everyPage();
      await runner.rebuild('audit');
      after = await everyPage();
    });
    const listed = before[0]!.flatMap((page) => page.positions);
    expect(listed.toSorted((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(after).toEqual(before);
    const cursor = before[1]![0]!.endCursor!;
    expect((await queries().page(filters[1]!, 5, cursor)).items.map((e) => e.position)).toEqual(
      before[1]![1]!.positions,
    );
  });

  it('rebuilds a trail of the release before at start, keyed by position, with the same pages; its cursors continue', async () => {
    let before: Awaited<ReturnType<typeof everyPage>> = [];
    await run(keyedById, async () => {
      before = await everyPage();
    });
    const entry = await reads.get(AUDIT_TRAIL, 'pub-1-3');
    await run(auditProjection);
    expect(await everyPage()).toEqual(before);
    expect(await reads.get(AUDIT_TRAIL, 'pub-1-3')).toEqual(entry);
    for (const [i, filter] of filters.entries()) {
      if (before[i]!.length < 2) continue;
      const next = await queries().page(filter, 5, before[i]![0]!.endCursor);
      expect(next.items.map((e) => e.position)).toEqual(before[i]![1]!.positions);
    }
  });
});
