import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { ConcurrencyError } from '../errors.js';
import type { EventStore } from '../events/store/event-store.js';
import { kurrent } from '../events/store/kurrentdb/kurrentdb-client.js';
import { KurrentDbEventStore } from '../events/store/kurrentdb/kurrentdb-event-store.js';
import { SqliteEventStore } from '../events/store/sqlite/sqlite-event-store.js';
import type { KeyStore } from '../privacy/keys/key-store.js';
import { MongoKeyStore } from '../privacy/keys/mongodb-key-store.js';
import { SqliteKeyStore } from '../privacy/keys/sqlite-key-store.js';
import { MongoReadStore } from '../projections/store/mongodb/mongo-read-store.js';
import type { ReadStore } from '../projections/store/read-store.js';
import { SqliteReadStore } from '../projections/store/sqlite/sqlite-read-store.js';
import type { Config } from '../server/config.js';

export interface ConformanceRow {
  port: 'event store' | 'read store' | 'key store';
  check: string;
  passed: boolean;
  /** why it failed: a client error's name and message (no data: the scratch data is made up) */
  detail?: string;
}

interface Scratch {
  events: EventStore;
  reads: ReadStore;
  keys: KeyStore;
  /** the stream the round trip writes, inside the scratch namespace */
  streamId: string;
  /** where the scratch data lives, for the table's heading */
  where: string;
  /** closes the stores and removes everything the round trip wrote */
  remove(): Promise<void>;
}

const event = (n: number) => ({
  eventId: randomUUID(),
  type: 'DoctorChecked',
  schemaVersion: 1,
  occurredAt: new Date(0).toISOString(),
  data: { n },
  metadata: { actor: { id: 'doctor', kind: 'system' as const }, correlationId: randomUUID() },
});

/**
 * A round trip of each port's behaviour on the configured stores, in a
 * namespace of its own: a temporary directory for SQLite; a `doctor-<id>-`
 * stream (deleted afterwards) on KurrentDB and a `pl_doctor_<id>` database
 * (dropped afterwards) on MongoDB, with a master key made up for the run.
 */
export async function runConformance(config: Config): Promise<{ where: string; rows: ConformanceRow[] }> {
  const scratch = await openScratch(config);
  const rows: ConformanceRow[] = [];
  const check = async (port: ConformanceRow['port'], name: string, run: () => Promise<void>) => {
    try {
      await run();
      rows.push({ port, check: name, passed: true });
    } catch (error) {
      rows.push({
        port,
        check: name,
        passed: false,
        detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  };
  const { events, reads, keys, streamId } = scratch;
  try {
    let position = 0;
    await check('event store', 'append expecting no stream, then revision 0', async () => {
      await events.append(streamId, [event(0)], { expectedRevision: 'no_stream' });
      position = (await events.append(streamId, [event(1)], { expectedRevision: 0 })).position;
    });
    await check('event store', 'a stale expected revision is a conflict', async () => {
      const refused = await events.append(streamId, [event(2)], { expectedRevision: 0 }).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (!(refused instanceof ConcurrencyError))
        throw new Error(`expected a conflict, got ${refused === undefined ? 'an accepted append' : String(refused)}`);
    });
    await check('event store', 'read back in order, hash-chained', async () => {
      const read = await events.readStream(streamId);
      if (read.map((e) => e.data['n']).join() !== '0,1')
        throw new Error(`read back ${read.length} events, not the 2 appended`);
      if (read[1]!.prevHash !== read[0]!.hash) throw new Error('the second event does not chain onto the first');
    });
    await check('event store', 'a subscription delivers the appended events', () =>
      subscribed(events, streamId, position),
    );
    await check('read store', 'a projection batch commits with its checkpoint', async () => {
      await reads.write([{ kind: 'upsert', collection: 'doctor', doc: { id: 'd1', n: 1 } }], {
        name: 'doctor',
        position: 7,
      });
      await reads.write([{ kind: 'upsert', collection: 'doctor', doc: { id: 'd1', n: 2 } }], {
        name: 'doctor',
        position: 7,
      });
      const doc = await reads.get('doctor', 'd1');
      if (doc?.['n'] !== 1 || (await reads.getCheckpoint('doctor')) !== 7)
        throw new Error('the batch and its checkpoint did not commit together once');
    });
    await check('key store', 'a key is created once, then destroyed for good', async () => {
      const first = await keys.getOrCreate('doctor-subject');
      if (!(await keys.getOrCreate('doctor-subject')).equals(first))
        throw new Error('a second getOrCreate gave another key');
      if (!(await keys.destroy('doctor-subject'))) throw new Error('destroy found no key');
      if ((await keys.getMany(['doctor-subject'])).size !== 0) throw new Error('the destroyed key is still readable');
    });
  } finally {
    await scratch.remove();
  }
  return { where: scratch.where, rows };
}

function subscribed(events: EventStore, streamId: string, last: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (subscription.close(), reject(new Error('nothing delivered within 10 s'))), 10_000);
    const subscription = events.subscribeToAll(
      { fromPosition: 0 },
      {
        onEvents: (batch) => {
          if (batch.some((e) => e.streamId === streamId && e.position >= last)) {
            clearTimeout(timer);
            void subscription.close().then(resolve, reject);
          }
        },
        onError: (error) => (clearTimeout(timer), reject(error)),
      },
    );
  });
}

async function openScratch(config: Config): Promise<Scratch> {
  const id = randomUUID().replaceAll('-', '').slice(0, 12);
  const masterKey = randomBytes(32);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-doctor-'));
  const opened: Array<() => Promise<unknown>> = [];
  const where: string[] = [];
  const prefix = `doctor-${id}-`;
  let events: EventStore;
  if (config.kurrentdbUrl) {
    const url = config.kurrentdbUrl;
    events = KurrentDbEventStore.open(url, { streamPrefixes: [prefix] });
    opened.push(async () => {
      const client = kurrent().KurrentDBClient.connectionString(url);
      try {
        await client.deleteStream(`${prefix}s`);
      } finally {
        await client.dispose();
      }
    });
    where.push(`KurrentDB stream ${prefix}s, deleted afterwards`);
  } else {
    events = SqliteEventStore.open(path.join(dir, 'events.sqlite'));
  }
  let reads: ReadStore;
  let keys: KeyStore;
  if (config.mongodbUrl) {
    const client = await new MongoClient(config.mongodbUrl, {
      ignoreUndefined: true,
      appName: 'privacy-ledger doctor',
    }).connect();
    const db = client.db(`pl_doctor_${id}`);
    reads = new MongoReadStore(client, db);
    keys = await MongoKeyStore.open(db, masterKey);
    opened.push(async () => {
      try {
        await db.dropDatabase();
      } finally {
        await client.close();
      }
    });
    where.push(`MongoDB database pl_doctor_${id}, dropped afterwards`);
  } else {
    reads = SqliteReadStore.open(path.join(dir, 'read-models.sqlite'));
    keys = SqliteKeyStore.open(path.join(dir, 'keys.sqlite'), masterKey);
  }
  if (!config.kurrentdbUrl || !config.mongodbUrl) where.push(`temporary directory ${dir}, removed afterwards`);
  return {
    events,
    reads,
    keys,
    streamId: `${prefix}s`,
    where: where.join('; '),
    async remove() {
      await Promise.allSettled([events.close(), reads.close(), keys.close()]);
      await Promise.allSettled(opened.map((undo) => undo()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
