import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../../src/events/store/event-envelope.js';
import { SqliteEventStore } from '../../../src/events/store/sqlite/sqlite-event-store.js';
import { UpcasterRegistry, upcasters as productionUpcasters } from '../../../src/events/store/upcasters.js';
import { AUDIT_TRAIL, auditProjection } from '../../../src/projections/audit-trail/audit-trail.projection.js';
import type { Projection } from '../../../src/projections/projection.js';
import { ProjectionRunner } from '../../../src/projections/runner/projection-runner.js';
import { offThread } from '../../../src/projections/runner/threaded-replay.js';
import { LeaseLostError } from '../../../src/projections/store/lease.js';
import { SqliteLeaseStore } from '../../../src/projections/store/sqlite/sqlite-lease-store.js';
import { SqliteReadStore } from '../../../src/projections/store/sqlite/sqlite-read-store.js';
import { tempDir } from '../fixtures.js';
import { failingAudit, olderContactUpdates, POISON, streamMarks } from './threaded-rebuild-fixture.js';

/** The process's threads (Linux): a reading thread that was left running would be one more. */
const threads = () => fs.readdirSync('/proc/self/task').length;

const PUBLISHERS = 60;
/** Small batches: a log of ~400 events crosses between the threads in many, more than the read-ahead. */
const BATCH = 25;
const at = (i: number) => new Date(Date.UTC(2026, 11, 1, 9, 0, i)).toISOString();
const actor = (i: number) => ({
  actor: { id: `user-${i % 4}`, kind: 'user' as const, role: 'publisher' },
  correlationId: 'c',
});
const event = (type: string, schemaVersion: number, i: number, data: Record<string, unknown>): NewEvent => ({
  eventId: crypto.randomUUID(),
  type,
  schemaVersion,
  occurredAt: at(i),
  data,
  metadata: actor(i),
});

/** A publisher's history: registration, a contact change in the old shape (version 1) and one in the current, approval, an erasure. */
function history(p: number): NewEvent[] {
  const publisherId = `pub-${p}`;
  return [
    event('PublisherRegistered', 1, p, {
      publisherId,
      companyName: `Company ${p}`,
      registrationCode: '91350100M000100Y43',
      contactPreferences: { byEmail: false, byTelephone: false },
      contact: { name: `Person ${p}`, email: `p${p}@example.cn` },
      registeredAt: at(p),
    }),
    event('ContactUpdated', 1, p + 1, { publisherId, contactEmail: `old${p}@example.cn`, updatedAt: at(p + 1) }),
    event('ContactUpdated', 2, p + 2, { publisherId, contact: { name: `Person ${p}.2` }, updatedAt: at(p + 2) }),
    event('PublisherApproved', 1, p + 3, { publisherId, approvedAt: at(p + 3) }),
    event('PersonalDataErased', 1, p + 4, {
      publisherId,
      subject: { kind: 'contact' },
      scope: 'person',
      erasedAt: at(p + 4),
    }),
  ];
}

describe('a rebuild on two threads', () => {
  let tmp: ReturnType<typeof tempDir>;
  let events: SqliteEventStore;
  let reads: SqliteReadStore;
  let leases: SqliteLeaseStore;
  const readModels = () => path.join(tmp.dir, 'read-models.sqlite');

  beforeEach(async () => {
    tmp = tempDir('pl-threaded-rebuild-');
    events = SqliteEventStore.open(path.join(tmp.dir, 'events.sqlite'));
    reads = SqliteReadStore.open(readModels());
    leases = SqliteLeaseStore.open(readModels());
    for (let p = 0; p < PUBLISHERS; p++) {
      await events.append(`publisher-pub-${p}`, history(p), { expectedRevision: 'no_stream' });
      // events of no ledger stream, which the trail leaves out
      await events.append(`counter-${p}`, [event('Counted', 1, p, { n: p })], { expectedRevision: 'no_stream' });
    }
  });
  afterEach(async () => {
    await Promise.all([events.close(), reads.close(), leases.close()]);
    tmp.remove();
  });

  const runner = (projection: Projection, rebuildOffThread: boolean) =>
    new ProjectionRunner(events, reads, [projection], {
      batchSize: BATCH,
      upcasters: olderContactUpdates,
      lease: { store: leases, holder: 'tester' },
      rebuildOffThread,
    });

  /** Every row of a live table as stored, and every checkpoint but a staged model's (an interrupted online rebuild leaves its own, dropped by the next). */
  function model(table = 'doc_audit_trail') {
    const db = new Database(readModels(), { readonly: true });
    try {
      return {
        rows: db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all(),
        checkpoints: db.prepare("SELECT * FROM _checkpoints WHERE name NOT LIKE '%:staged' ORDER BY name").all(),
      };
    } finally {
      db.close();
    }
  }

  it('runs a standalone projection upcast by an exported registry there, and anything else on one thread', async () => {
    expect(await offThread(events, reads, auditProjection, olderContactUpdates)).toBeDefined();
    expect(await offThread(events, reads, auditProjection, productionUpcasters)).toBeDefined();
    // a copy is not what the reading thread would import; a registry of the caller's own is not exported
    expect(await offThread(events, reads, { ...auditProjection }, olderContactUpdates)).toBeUndefined();
    expect(await offThread(events, reads, auditProjection, new UpcasterRegistry([]))).toBeUndefined();
  });

  it('builds the same audit model, row for row and to the same checkpoint, as the rebuild on one thread, offline and online', async () => {
    await runner(auditProjection, false).rebuild('audit');
    const oneThread = model();
    await runner(auditProjection, true).rebuild('audit');
    expect(model()).toEqual(oneThread);
    await runner(auditProjection, true).rebuildOnline('audit');
    expect(model()).toEqual(oneThread);

    const head = await events.headPosition();
    expect(oneThread.rows).toHaveLength(PUBLISHERS * 5);
    expect(oneThread.checkpoints).toContainEqual({ name: 'audit', position: head });
    // the contact changes of version 1 were upcast: they name the field the current version sets
    const upcast = await reads.get<{ id: string; changedFields: string[] }>(
      AUDIT_TRAIL,
      (await events.readAll())[1]!.eventId,
    );
    expect(upcast?.changedFields).toEqual(['contact.email']);
  });

  it('builds the same model of upserts, patches and erasing deletes as on one thread, offline and online', async () => {
    await runner(streamMarks, false).rebuild('stream-marks');
    const oneThread = model('doc_stream_marks');
    await runner(streamMarks, true).rebuild('stream-marks');
    expect(model('doc_stream_marks')).toEqual(oneThread);
    await runner(streamMarks, true).rebuildOnline('stream-marks');
    expect(model('doc_stream_marks')).toEqual(oneThread);
    // the counters' documents, and the odd-numbered publishers', approved
    const ids = oneThread.rows.map((row) => (row as { id: string }).id);
    expect(ids.filter((id) => id.startsWith('counter-'))).toHaveLength(PUBLISHERS);
    expect(ids.filter((id) => id.startsWith('publisher-')).sort()).toEqual(
      Array.from({ length: PUBLISHERS / 2 }, (_, i) => `publisher-pub-${2 * i + 1}`).sort(),
    );
    const approved = await reads.get<{ id: string; approved?: unknown }>('stream_marks', 'publisher-pub-1');
    expect(approved?.approved).toEqual({ at: expect.any(Number) });
  });

  it('fails on a corrupt log row with an error that names the step and quotes nothing of the row; the live model stays', async () => {
    await runner(auditProjection, false).rebuild('audit');
    const before = model();
    const db = new Database(path.join(tmp.dir, 'events.sqlite'));
    db.prepare('UPDATE events SET data = ? WHERE position = 200').run('{"publisherId": "pub-secret", "contact');
    db.close();

    const running = threads();
    const rebuilding = runner(auditProjection, true).rebuildOnline('audit');
    await expect(rebuilding).rejects.toThrow(
      /^rebuilding "audit" failed \(parsing the log after position \d+: SyntaxError\)$/,
    );
    await rebuilding.catch((error: Error) => expect(error.message).not.toContain('secret'));
    expect(model()).toEqual(before); // nothing promoted
    expect(threads()).toBe(running); // the reading thread was ended
    expect(await leases.acquire('audit:rebuild', 'another', 1_000)).not.toBeNull();
  });

  it('fails when the projection throws, on either thread, with its error, and promotes nothing', async () => {
    await runner(failingAudit, false).rebuild('failing-audit');
    const before = model();
    await events.append('poison-1', [event(POISON, 1, 0, {})], { expectedRevision: 'no_stream' });

    await expect(runner(failingAudit, true).rebuildOnline('failing-audit')).rejects.toThrow(
      /^rebuilding "failing-audit" failed \(projecting after position \d+: Error: this projection cannot fold the batch\)$/,
    );
    expect(model()).toEqual(before);
  });

  it('stops at the next batch once another process took the lease, the checkpoint where its last write left it', async () => {
    // the other process sees the lease run out (its clock is a minute ahead) and takes it
    const usurper = SqliteLeaseStore.open(readModels(), { now: () => new Date(Date.now() + 60_000) });
    let taken: number | undefined;
    const running = threads();
    const rebuilding = runner(auditProjection, true).rebuild('audit', (position) => {
      if (taken === undefined && position >= 100) {
        taken = position;
        void usurper.acquire('audit', 'other', 60_000);
      }
    });
    await expect(rebuilding).rejects.toBeInstanceOf(LeaseLostError);
    expect(threads()).toBe(running); // the reading thread, waiting to read ahead, was ended
    await usurper.close();
    const checkpoint = (await reads.getCheckpoint('audit'))!;
    expect(checkpoint).toBeGreaterThanOrEqual(taken!);
    expect(checkpoint).toBeLessThan(await events.headPosition());
    expect(model().rows.length).toBeLessThan(PUBLISHERS * 5);
  });
});
