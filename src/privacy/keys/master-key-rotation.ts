import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  decodeKey,
  loadMasterKey,
  MASTER_KEY_FILE,
  MASTER_KEY_SETTING,
  moveKeyFile,
  readKeyFile,
  writeKeyFile,
} from './master-key.js';
import { storeLedgerSecrets } from './ledger-secrets.js';
import { SqliteKeyStore } from './sqlite-key-store.js';

/** A rotation that cannot run as asked; the message names settings and files, never a key. */
export class RotationError extends Error {}

export interface RotationOptions {
  dataDir: string;
  /** the key store's file inside dataDir */
  keyStoreFile: string;
  /** the configured master key (PRIVACY_LEDGER_MASTER_KEY); empty: the data directory's master.key */
  currentMasterKeyBase64?: string;
  /** the new key; when absent one is generated (only where the current key lives in master.key) */
  newMasterKeyBase64?: string;
}

export interface RotationResult {
  /** data keys re-wrapped */
  rewrapped: number;
  /** where the new master key is: the data directory's master.key, or to be set in configuration */
  newKeyIn: 'file' | 'configuration';
}

/**
 * Rotates the master key: every data key is re-wrapped in one transaction
 * (see SqliteKeyStore.rotateMasterKey), so the key store is under the old
 * key or the new one, never both. Where the master key lives in the data
 * directory, the new one is first written to `master.key.next`, then the
 * store is re-wrapped, then the file takes master.key's place; a crash in
 * between is finished by running the rotation again (the store tells which
 * of the two keys it is under). The caller makes sure no server runs.
 */
export async function rotateMasterKey(options: RotationOptions): Promise<RotationResult> {
  const storeFile = path.join(options.dataDir, options.keyStoreFile);
  if (!fs.existsSync(storeFile))
    throw new RotationError(`there is no key store in ${options.dataDir}: nothing to rotate.`);
  const fromConfiguration = Boolean(options.currentMasterKeyBase64);
  const given = options.newMasterKeyBase64 === undefined ? undefined : decodeKey(options.newMasterKeyBase64);
  if (options.newMasterKeyBase64 !== undefined && !given) {
    throw new RotationError(
      '--new-master-key must be the base64 encoding of exactly 32 bytes (for example `openssl rand -base64 32`).',
    );
  }
  if (fromConfiguration && !given) {
    throw new RotationError(
      `the master key comes from ${MASTER_KEY_SETTING}: give the new one with --new-master-key, then set ${MASTER_KEY_SETTING} to it.`,
    );
  }
  const current = loadMasterKey({
    dataDir: options.dataDir,
    ...(fromConfiguration ? { masterKeyBase64: options.currentMasterKeyBase64! } : {}),
  });
  const keyFile = path.join(options.dataDir, MASTER_KEY_FILE);
  const pendingFile = `${keyFile}.next`;
  const pending = fromConfiguration ? undefined : readKeyFile(pendingFile);
  if (pending && given && !pending.equals(given)) {
    throw new RotationError(
      `an interrupted rotation left ${pendingFile}: run the rotation again without --new-master-key to finish it.`,
    );
  }
  const next = pending ?? given ?? randomBytes(32);
  if (next.equals(current)) throw new RotationError('the new master key is the current one.');
  if (!fromConfiguration && !pending) writeKeyFile(pendingFile, next);

  let rewrapped = 0;
  const store = openUnder(storeFile, current) ?? (pending ? openUnder(storeFile, next) : undefined);
  if (!store) throw new RotationError(`the master key does not open the key store (use the key it was created with).`);
  try {
    if (!store.under.equals(next)) {
      // A ledger that has not stored its secrets yet derives them from the key it is under, before that key goes.
      await storeLedgerSecrets(store.keys, store.under);
      rewrapped = await store.keys.rotateMasterKey(next);
    }
  } finally {
    await store.keys.close();
  }
  if (!fromConfiguration) moveKeyFile(pendingFile, keyFile);
  current.fill(0);
  next.fill(0);
  return { rewrapped, newKeyIn: fromConfiguration ? 'configuration' : 'file' };
}

/** The store opened under `masterKey`, or undefined when that is not its key. */
function openUnder(file: string, masterKey: Buffer): { keys: SqliteKeyStore; under: Buffer } | undefined {
  try {
    return { keys: SqliteKeyStore.open(file, masterKey), under: Buffer.from(masterKey) };
  } catch {
    return undefined;
  }
}
