import path from 'node:path';
import { MongoClient } from 'mongodb';
import type { Clock } from '../clock.js';
import type { KeyStore } from '../privacy/key-store.js';
import { MongoKeyStore } from '../privacy/mongodb-key-store.js';
import { SqliteKeyStore } from '../privacy/sqlite-key-store.js';
import type { LeaseStore } from '../projections/lease.js';
import { MongoLeaseStore } from '../projections/mongodb/mongo-lease-store.js';
import { MongoReadStore } from '../projections/mongodb/mongo-read-store.js';
import type { ReadStore } from '../projections/read-store.js';
import { SqliteLeaseStore } from '../projections/sqlite/sqlite-lease-store.js';
import { SqliteReadStore } from '../projections/sqlite/sqlite-read-store.js';
import { SETTINGS, type Config } from './config.js';

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
 * `_leases` in one database, the keys in their own collections there).
 */
export async function openReadSide(
  config: Pick<Config, 'dataDir'> & Partial<Pick<Config, 'mongodbUrl' | 'mongodbDatabase'>>,
  masterKey: Buffer,
  clock: Clock,
): Promise<ReadSide> {
  if (config.mongodbUrl) return openMongoReadSide(config.mongodbUrl, config.mongodbDatabase ?? SETTINGS.mongodbDatabase.default, masterKey, clock);
  const file = (name: string) => path.join(config.dataDir, name);
  const reads = SqliteReadStore.open(file(readSideFiles.readModels));
  const leases = SqliteLeaseStore.open(file(readSideFiles.readModels), clock);
  const keys = SqliteKeyStore.open(file(readSideFiles.keys), masterKey);
  return {
    reads,
    keys,
    leases,
    backend: 'sqlite',
    close: async () => void (await Promise.all([reads.close(), leases.close(), keys.close()])),
  };
}

async function openMongoReadSide(url: string, database: string, masterKey: Buffer, clock: Clock): Promise<ReadSide> {
  // ignoreUndefined: an undefined field is left out, as JSON (and so the SQLite store) leaves it out.
  const client = new MongoClient(url, { ignoreUndefined: true, appName: 'privacy-ledger' });
  try {
    await client.connect();
  } catch (error) {
    // The driver's message may repeat the host list, never the password; keep only its kind.
    throw new Error(`could not connect to MongoDB (${error instanceof Error ? error.name : 'unknown error'}); check --mongodb-url / MONGODB_URL`);
  }
  try {
    const db = client.db(database);
    const keys = await MongoKeyStore.open(db, masterKey, clock);
    return {
      reads: new MongoReadStore(client, db),
      keys,
      leases: new MongoLeaseStore(db, clock),
      backend: 'mongodb',
      async close() {
        await keys.close();
        await client.close();
      },
    };
  } catch (error) {
    await client.close();
    throw error;
  }
}
