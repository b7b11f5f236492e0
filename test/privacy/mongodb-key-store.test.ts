import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { MongoKeyStore, readWinner } from '../../src/privacy/mongodb-key-store.js';
import { freshMongoDatabase, mongoSuiteName, mongoUrl } from '../mongodb-fixture.js';
import { keyStoreContract } from './key-store.contract.js';

describe.skipIf(!mongoUrl)(mongoSuiteName('MongoDB key store'), () => {
  keyStoreContract('MongoKeyStore', async () => {
    const { db, cleanup } = await freshMongoDatabase();
    const store = await MongoKeyStore.open(db, randomBytes(32));
    return { store, cleanup: async () => (await store.close(), await cleanup()) };
  });

  it('refuses to open with another master key, and a destroyed key is gone for every process', async () => {
    const { db, cleanup } = await freshMongoDatabase();
    try {
      const masterKey = randomBytes(32);
      const first = await MongoKeyStore.open(db, masterKey);
      const second = await MongoKeyStore.open(db, masterKey);
      const key = await first.getOrCreate('subject-a');
      expect((await second.getOrCreate('subject-a')).equals(key)).toBe(true);
      expect(await first.destroy('subject-a')).toBe(true);
      // No cache survives another process's erasure.
      expect((await second.getMany(['subject-a'])).size).toBe(0);
      await expect(MongoKeyStore.open(db, randomBytes(32))).rejects.toThrow(/master key does not match the key store/);
      await Promise.all([first.close(), second.close()]);
    } finally {
      await cleanup();
    }
  });

  it('two processes opening an empty store at once both start, and agree on every key', async () => {
    for (let round = 0; round < 5; round++) {
      const { db, cleanup } = await freshMongoDatabase();
      // A second client: its own connections and sessions, as another process has.
      const other = await new MongoClient(mongoUrl!, { ignoreUndefined: true }).connect();
      try {
        const masterKey = randomBytes(32);
        const [first, second] = await Promise.all([MongoKeyStore.open(db, masterKey), MongoKeyStore.open(other.db(db.databaseName), masterKey)]);
        const [a, b] = await Promise.all([first.getOrCreate('subject-a'), second.getOrCreate('subject-a')]);
        expect(a.equals(b)).toBe(true);
        await Promise.all([first.close(), second.close()]);
      } finally {
        await other.close();
        await cleanup();
      }
    }
  });
});

describe('reading what another process is writing', () => {
  it('waits for the winner of a race to show instead of reporting it missing', async () => {
    const answers = [null, null, { value: 'check' }];
    let reads = 0;
    expect(await readWinner(async () => answers[reads++] ?? null, 10, 1)).toEqual({ value: 'check' });
    expect(reads).toBe(3);
  });

  it('gives up after its attempts when nothing shows', async () => {
    let reads = 0;
    expect(await readWinner(async () => (reads++, null), 4, 1)).toBeNull();
    expect(reads).toBe(4);
  });
});
