import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MongoKeyStore } from '../../src/privacy/mongodb-key-store.js';
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
});
