import path from 'node:path';
import { MongoClient, type Document } from 'mongodb';
import type { Clock } from '../clock.js';
import type { CommitCounter } from '../sqlite/commit-counter.js';
import type { KeyStore } from '../privacy/keys/key-store.js';
import { MongoKeyStore } from '../privacy/keys/mongodb-key-store.js';
import { SqliteKeyStore } from '../privacy/keys/sqlite-key-store.js';
import type { LeaseStore } from '../projections/store/lease.js';
import { MongoLeaseStore } from '../projections/store/mongodb/mongo-lease-store.js';
import { MongoReadStore } from '../projections/store/mongodb/mongo-read-store.js';
import type { ReadStore } from '../projections/store/read-store.js';
import { SqliteLeaseStore } from '../projections/store/sqlite/sqlite-lease-store.js';
import { SqliteReadStore } from '../projections/store/sqlite/sqlite-read-store.js';
import type { Config } from './config.js';
import { SETTINGS } from './settings.js';

/** The files of the embedded read side, inside the data directory. */
export const readSideFiles = {
  readModels: 'read-models.sqlite',
  keys: 'keys.sqlite',
} as const;

/** The read models, the keys and the projection leases, on one backend. */
export interface ReadSide {
  reads: ReadStore;
  keys: KeyStore;
  /** in the read models' store: a fenced write checks them in its own transaction */
  leases: LeaseStore;
  /** which backend, for logs and status (never the connection string) */
  backend: 'sqlite' | 'mongodb';
  close(): Promise<void>;
}

/**
 * Opens the read side: SQLite files in the data directory by default, or
 * the MongoDB replica set of `mongodbUrl` (read models, `_checkpoints` and
 * `_leases` in one database), with the keys in their own collections there
 * or, with `mongodbKeysUrl`, on a replica set of their own
 * (docs/erasure-on-mongodb.md says why).
 */
export async function openReadSide(
  config: Pick<Config, 'dataDir'> &
    Partial<Pick<Config, 'mongodbUrl' | 'mongodbDatabase' | 'mongodbKeysUrl' | 'documentCacheMb' | 'keyCacheEntries'>>,
  masterKey: Buffer,
  clock: Clock,
  /** embedded: shared with the threads of this process that open the read models (src/sqlite/commit-counter.ts) */
  embedded: { commits?: CommitCounter } = {},
): Promise<ReadSide> {
  if (config.mongodbUrl)
    return openMongoReadSide(
      config.mongodbUrl,
      config.mongodbKeysUrl,
      config.mongodbDatabase ?? SETTINGS.mongodbDatabase.default,
      masterKey,
      clock,
    );
  const file = (name: string) => path.join(config.dataDir, name);
  const reads = SqliteReadStore.open(file(readSideFiles.readModels), {
    ...embedded,
    ...(config.documentCacheMb ? { documentCacheMb: config.documentCacheMb } : {}),
  });
  const leases = SqliteLeaseStore.open(file(readSideFiles.readModels), clock);
  const keys = SqliteKeyStore.open(
    file(readSideFiles.keys),
    masterKey,
    config.keyCacheEntries === undefined ? {} : { keyCacheEntries: config.keyCacheEntries },
  );
  return {
    reads,
    keys,
    leases,
    backend: 'sqlite',
    close: async () => void (await Promise.all([reads.close(), leases.close(), keys.close()])),
  };
}

/** A connected client; the error names the setting, never the URL (it may hold credentials). */
async function connect(url: string, setting: string): Promise<MongoClient> {
  // ignoreUndefined: an undefined field is left out, as JSON (and so the SQLite store) leaves it out.
  const client = new MongoClient(url, { ignoreUndefined: true, appName: 'privacy-ledger' });
  try {
    return await client.connect();
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new Error(
      `could not connect to MongoDB (${error instanceof Error ? error.name : 'unknown error'}); check ${setting}`,
    );
  }
}

/**
 * What keeps a MongoDB deployment from serving the read side, from its
 * `hello` answer: projections commit in transactions, which only a replica
 * set member (or a mongos in front of replica-set shards) runs. A
 * standalone mongod would accept the start and then fail every batch.
 */
export function replicaSetProblem(hello: Document): string | undefined {
  if (hello['msg'] === 'isdbgrid') return undefined;
  if (typeof hello['setName'] !== 'string') {
    return 'is a standalone mongod, not a replica set: projections commit in transactions, which only a replica set runs (a one-member replica set will do: mongod --replSet rs0, then rs.initiate())';
  }
  return undefined;
}

/** Refuses, at start, a deployment the read side cannot run on; names the setting, never the URL. */
async function checkReplicaSet(client: MongoClient, setting: string): Promise<void> {
  const problem = replicaSetProblem(await client.db('admin').command({ hello: 1 }));
  if (problem) throw new Error(`${setting} ${problem}`);
}

async function openMongoReadSide(
  url: string,
  keysUrl: string | undefined,
  database: string,
  masterKey: Buffer,
  clock: Clock,
): Promise<ReadSide> {
  const clients: MongoClient[] = [];
  const closeAll = async () => void (await Promise.all(clients.map((client) => client.close())));
  try {
    const client = await connect(url, '--mongodb-url / MONGODB_URL');
    clients.push(client);
    await checkReplicaSet(client, '--mongodb-url / MONGODB_URL');
    const keyClient =
      keysUrl && keysUrl !== url ? await connect(keysUrl, '--mongodb-keys-url / MONGODB_KEYS_URL') : client;
    if (keyClient !== client)
      (clients.push(keyClient), await checkReplicaSet(keyClient, '--mongodb-keys-url / MONGODB_KEYS_URL'));
    const db = client.db(database);
    const keys = await MongoKeyStore.open(keyClient.db(database), masterKey, clock);
    return {
      reads: new MongoReadStore(client, db),
      keys,
      leases: new MongoLeaseStore(db, clock),
      backend: 'mongodb',
      async close() {
        await keys.close();
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
