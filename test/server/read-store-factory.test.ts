import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { replicaSetProblem } from '../../src/server/mongo-replica-set.js';
import { openReadSide, readSideFiles } from '../../src/server/read-store-factory.js';
import { tempDataDir } from './harness.js';

describe('read side factory', () => {
  it('without a MongoDB URL, opens the read models, leases and keys as SQLite files in the data directory', async () => {
    const data = tempDataDir('pl-side-');
    try {
      const side = await openReadSide({ dataDir: data.dir }, randomBytes(32), systemClock);
      expect(side.backend).toBe('sqlite');
      const grant = await side.leases.acquire('p', 'me', 1000);
      // The leases share the read models' file: a write fenced by the grant is accepted there.
      await side.reads.write(
        [{ kind: 'upsert', collection: 'things', doc: { id: '1' } }],
        { name: 'p', position: 1 },
        { lease: 'p', token: grant!.token },
      );
      await side.keys.getOrCreate('subject');
      await side.close();
      expect(fs.readdirSync(data.dir).sort()).toEqual(expect.arrayContaining(Object.values(readSideFiles)));
      expect(fs.existsSync(path.join(data.dir, readSideFiles.readModels))).toBe(true);
    } finally {
      data.remove();
    }
  });

  it('an unreachable MongoDB fails with a sentence naming the setting, never the credentials in the URL', async () => {
    const url = 'mongodb://ledger:s3cret-pw@127.0.0.1:1/?serverSelectionTimeoutMS=200&connectTimeoutMS=200';
    const error = await openReadSide({ dataDir: '/nonexistent', mongodbUrl: url }, randomBytes(32), systemClock).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^could not connect to MongoDB \(\w+\); check --mongodb-url \/ MONGODB_URL$/,
    );
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('a standalone mongod is refused: projections need transactions, which only a replica set runs', () => {
    expect(replicaSetProblem({ isWritablePrimary: true, maxWireVersion: 21 })).toMatch(
      /standalone mongod, not a replica set.*rs\.initiate/,
    );
    expect(replicaSetProblem({ isWritablePrimary: true, setName: 'rs0' })).toBeUndefined();
    expect(replicaSetProblem({ isWritablePrimary: true, msg: 'isdbgrid' })).toBeUndefined();
  });
});

// A standalone mongod (no --replSet) named by MONGODB_STANDALONE_URL; none runs here.
const standaloneUrl = process.env['MONGODB_STANDALONE_URL'];
describe.skipIf(!standaloneUrl)(
  `read side on a standalone mongod${standaloneUrl ? '' : ' (skipped: set MONGODB_STANDALONE_URL to a mongod started without --replSet to run it)'}`,
  () => {
    it('refuses to start, with a sentence that names the setting and what to do', async () => {
      const error = await openReadSide(
        { dataDir: '/nonexistent', mongodbUrl: standaloneUrl! },
        randomBytes(32),
        systemClock,
      ).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(
        /^--mongodb-url \/ MONGODB_URL is a standalone mongod, not a replica set/,
      );
    });
  },
);
