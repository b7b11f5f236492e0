import path from 'node:path';
import type { Clock } from '../clock.js';
import type { CommitCounter } from '../sqlite/commit-counter.js';
import { SqliteKeyStore } from '../privacy/keys/sqlite-key-store.js';
import { SqliteLeaseStore } from '../projections/store/sqlite/sqlite-lease-store.js';
import { SqliteReadStore } from '../projections/store/sqlite/sqlite-read-store.js';
import type { Config } from './config.js';
import type { ReadSide } from './read-side.js';
import { SETTINGS } from './settings.js';

/** The files of the embedded read side, inside the data directory. */
export const readSideFiles = {
  readModels: 'read-models.sqlite',
  keys: 'keys.sqlite',
} as const;

/** The read models, the keys and the projection leases, on one backend. */

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
  /**
   * embedded: `commits` shared with the threads of this process that open the read models (src/sqlite/commit-counter.ts);
   * `leaseClock` the leases run by instead of `clock` (tests: LedgerOptions.leaseClock)
   */
  embedded: { commits?: CommitCounter; leaseClock?: Clock } = {},
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
    ...(embedded.commits ? { commits: embedded.commits } : {}),
    ...(config.documentCacheMb ? { documentCacheMb: config.documentCacheMb } : {}),
  });
  const leases = SqliteLeaseStore.open(file(readSideFiles.readModels), embedded.leaseClock ?? clock);
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
