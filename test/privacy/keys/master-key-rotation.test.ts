import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rotateMasterKey } from '../../../src/privacy/keys/master-key-rotation.js';
import { writeKeyFile } from '../../../src/privacy/keys/master-key.js';
import { SqliteKeyStore } from '../../../src/privacy/keys/sqlite-key-store.js';
import { openLedger } from '../../../src/server/ledger.js';
import { CHILD_PROCESS_TEST_TIMEOUT_MS, runCli } from '../../server/child.js';
import { tempDataDir } from '../../server/harness.js';
import { operator, values } from '../../events/erasure/erasure-fixture.js';

const open = (dataDir: string, masterKey = '') =>
  openLedger({ dataDir, masterKey, readYourWritesTimeoutMs: 1000, kurrentdbUrl: '' });

/** Registers a publisher and returns a function that reads its contact name back through a fresh ledger. */
async function recordContact(dataDir: string, masterKey = ''): Promise<(key?: string) => Promise<string | null>> {
  const ledger = await open(dataDir, masterKey);
  const { publisher } = await ledger.services.publishers.register(
    { companyName: 'Contoso China', registrationCode: '91350100M000100Y43', contact: values.contact },
    operator,
  );
  await ledger.close();
  return async (key = '') => {
    const again = await open(dataDir, key);
    try {
      return (await again.services.pointInTime.publisher(publisher.id, new Date().toISOString()))!.contact.name;
    } finally {
      await again.close();
    }
  };
}

const keyFile = (dir: string) => path.join(dir, 'master.key');
const readKey = (dir: string) => fs.readFileSync(keyFile(dir), 'utf8').trim();

describe('master key rotation', { timeout: CHILD_PROCESS_TEST_TIMEOUT_MS }, () => {
  const data = tempDataDir('pl-rotate-');
  afterEach(() => data.remove());

  it('privacy-ledger rotate-master-key re-wraps every key: the data opens under the new key and not the old; refused while a server runs', async () => {
    const contactName = await recordContact(data.dir);
    const old = readKey(data.dir);
    fs.writeFileSync(path.join(data.dir, 'serve.pid'), String(process.pid)); // a live process holds the lock
    const refused = runCli(['rotate-master-key', '--data-dir', data.dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/running on .*stop it before rotating/);
    expect(readKey(data.dir)).toBe(old);
    fs.rmSync(path.join(data.dir, 'serve.pid'));

    const rotated = runCli(['rotate-master-key', '--data-dir', data.dir]);
    expect(rotated.stderr).toBe('');
    // the contact's data key, the ledger's secret (src/privacy/keys/ledger-secrets.ts) and the actor reference of whoever recorded it (lookup index, lookup row, link)
    expect(rotated.stdout).toContain('re-wrapped 5 data keys');
    expect(readKey(data.dir)).not.toBe(old);
    expect(fs.existsSync(`${keyFile(data.dir)}.next`)).toBe(false);
    expect(await contactName()).toBe(values.contact.name);
    await expect(open(data.dir, old)).rejects.toThrow(/master key does not match/);
  });

  it('a given new key replaces master.key; a configured key must be rotated to a given one', async () => {
    const contactName = await recordContact(data.dir);
    const given = randomBytes(32).toString('base64');
    await rotateMasterKey({ dataDir: data.dir, keyStoreFile: 'keys.sqlite', newMasterKeyBase64: given });
    expect(readKey(data.dir)).toBe(given);
    expect(await contactName()).toBe(values.contact.name);

    const next = randomBytes(32).toString('base64');
    await expect(
      rotateMasterKey({ dataDir: data.dir, keyStoreFile: 'keys.sqlite', currentMasterKeyBase64: given }),
    ).rejects.toThrow(/--new-master-key/);
    await expect(
      rotateMasterKey({
        dataDir: data.dir,
        keyStoreFile: 'keys.sqlite',
        currentMasterKeyBase64: given,
        newMasterKeyBase64: 'c2hvcnQ=',
      }),
    ).rejects.toThrow(/exactly 32 bytes/);
    const result = await rotateMasterKey({
      dataDir: data.dir,
      keyStoreFile: 'keys.sqlite',
      currentMasterKeyBase64: given,
      newMasterKeyBase64: next,
    });
    expect(result).toEqual({ rewrapped: 5, newKeyIn: 'configuration' });
    expect(await contactName(next)).toBe(values.contact.name);
    await expect(open(data.dir, given)).rejects.toThrow(/master key does not match/);
  });

  it('a rotation interrupted after the store was re-wrapped is finished by running it again', async () => {
    const contactName = await recordContact(data.dir);
    const old = Buffer.from(readKey(data.dir), 'base64');
    const next = randomBytes(32);
    // What a crash between the commit and the file move leaves: master.key.next, a store under it, master.key old.
    writeKeyFile(`${keyFile(data.dir)}.next`, next);
    const store = SqliteKeyStore.open(path.join(data.dir, 'keys.sqlite'), old);
    await store.rotateMasterKey(next);
    await store.close();
    await expect(open(data.dir)).rejects.toThrow(/master key does not match/);

    expect(await rotateMasterKey({ dataDir: data.dir, keyStoreFile: 'keys.sqlite' })).toEqual({
      rewrapped: 0,
      newKeyIn: 'file',
    });
    expect(readKey(data.dir)).toBe(next.toString('base64'));
    expect(await contactName()).toBe(values.contact.name);
  });
});
