import Database from 'better-sqlite3';
import { createHmac, hkdfSync } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LEDGER_SECRET_PREFIX } from '../../../src/privacy/keys/ledger-secrets.js';
import { loadMasterKey } from '../../../src/privacy/keys/master-key.js';
import { rotateMasterKey } from '../../../src/privacy/keys/master-key-rotation.js';
import { openTestLedger } from '../../events/erasure/erasure-fixture.js';
import { tempDataDir } from '../../server/harness.js';

const BLIND_INDEX = `${LEDGER_SECRET_PREFIX}blind-index/aad-object-id`;
const INFO = 'privacy-ledger/blind-index/aad-object-id/v1';
const objectId = '5b0e7c3a-9d41-4f2e-8a6b-1c3d5e7f9a0b';
const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest('base64url');

/**
 * Account events written before actor references carry `objectIdIndex`, an
 * HMAC of the account's object id under the blind-index secret, which the
 * key store kept for good: an erased account's object id stayed testable
 * by whoever held the key file and the master key. Nothing reads that
 * secret any more, so opening a ledger destroys it, and after a master-key
 * rotation no key left can make the index again.
 */
describe('the retired blind-index secret', () => {
  const data = tempDataDir('pl-retired-secret-');
  afterEach(() => data.remove());

  it('is destroyed when a ledger opens, and after a rotation no remaining key makes the old index', async () => {
    const old = await openTestLedger(data.dir);
    const derived = Buffer.from(hkdfSync('sha256', loadMasterKey({ dataDir: data.dir }), Buffer.alloc(0), INFO, 32));
    const secret = await old.keys.getOrCreate(BLIND_INDEX, derived);
    const legacyIndex = hmac(secret, objectId);
    await old.close();

    const reopened = await openTestLedger(data.dir);
    expect([...(await reopened.keys.getMany([BLIND_INDEX])).keys()]).toEqual([]);
    await reopened.close();

    await rotateMasterKey({ dataDir: data.dir, keyStoreFile: 'keys.sqlite' });
    const after = await openTestLedger(data.dir);
    try {
      const master = loadMasterKey({ dataDir: data.dir });
      const db = new Database(path.join(data.dir, 'keys.sqlite'), { readonly: true, fileMustExist: true });
      const subjects = (db.prepare('SELECT subject_id FROM subject_keys').all() as Array<{ subject_id: string }>).map(
        (row) => row.subject_id,
      );
      db.close();
      const remaining = [
        master,
        Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), INFO, 32)),
        ...(await after.keys.getMany(subjects)).values(),
      ];
      expect(remaining.length).toBeGreaterThan(2);
      expect(remaining.map((key) => hmac(key, objectId))).not.toContain(legacyIndex);
    } finally {
      await after.close();
    }
  });
});
