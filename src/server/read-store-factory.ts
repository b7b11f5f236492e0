import path from 'node:path';
import type { Document } from 'mongodb';
import type { Clock } from '../clock.js';
import type { CommitCounter } from '../sqlite/commit-counter.js';
import type { KeyStore } from '../privacy/keys/key-store.js';
import { SqliteKeyStore } from '../privacy/keys/sqlite-key-store.js';
import type { LeaseStore } from '../projections/store/lease.js';
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
  if (config.mongodbUrl) {
    // Loaded only here: the MongoDB driver is a tenth of a second of every start that does not use it.
    const { openMongoReadSide } = await import('./mongo-read-side.js');
    return openMongoReadSide(
      config.mongodbUrl,
      config.mongodbKeysUrl,
      config.mongodbDatabase ?? SETTINGS.mongodbDatabase.default,
      masterKey,
      clock,
    );
  }
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
