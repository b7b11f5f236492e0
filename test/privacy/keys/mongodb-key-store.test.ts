import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { MongoKeyStore, readWinner } from '../../../src/privacy/keys/mongodb-key-store.js';
import { freshMongoDatabase, mongoSuiteName, mongoUrl } from '../../mongodb-fixture.js';
import { repoRoot } from '../../server/child.js';
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
    const run = (database: string, masterKey: string) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', 'test/privacy/keys/mongodb-key-store.child.ts', mongoUrl!, database, masterKey],
          { cwd: repoRoot },
        );
        let out = '';
        let err = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
        child.on('close', (code) => resolve({ code, out, err }));
      });
    for (let round = 0; round < 3; round++) {
      const { db, cleanup } = await freshMongoDatabase();
      try {
        const masterKey = randomBytes(32).toString('base64');
        const [first, second] = await Promise.all([run(db.databaseName, masterKey), run(db.databaseName, masterKey)]);
        expect([first.code, first.err, second.code, second.err]).toEqual([0, '', 0, '']);
        expect(first.out).toBe(second.out);
      } finally {
        await cleanup();
      }
    }
  }, 60_000);
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
