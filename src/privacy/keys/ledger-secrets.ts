import { hkdfSync } from 'node:crypto';
import type { KeyStore } from './key-store.js';

/**
 * The secret the ledger keys its lookups with: idempotency fingerprints and
 * derived ids (src/events/idempotency.ts). What they compute is recorded in
 * the log, so they must outlive a master-key rotation: each is derived from
 * the master key once, on first use, and then kept in the key store like a
 * data key (wrapped by the master key, re-wrapped by a rotation), never
 * derived again. A ledger from before they were stored derives the same
 * values from its master key, so nothing recorded changes meaning.
 */
const INFO = {
  idempotency: 'privacy-ledger/idempotency/v1',
} as const;

/**
 * Secrets no code reads any more, destroyed when a ledger opens. The blind
 * index of AAD object ids keyed the `objectIdIndex` that account events
 * carried before actor references: while it existed, anyone holding it
 * could test a guessed object id against those events, erased accounts'
 * included. Once it is destroyed, only the master key it was derived from
 * can make it again, and a master-key rotation ends that too
 * (docs/privacy.md).
 */
const RETIRED = ['blind-index/aad-object-id'] as const;

export type LedgerSecretPurpose = keyof typeof INFO;

/** Key store subjects of the ledger's secrets: no data subject, so no erasure or retention ever names one. */
export const LEDGER_SECRET_PREFIX = 'ledger/secret/';

/** The secret for `purpose`: the stored one, or (first use) derived from the current master key and stored. */
export async function ledgerSecret(keys: KeyStore, masterKey: Buffer, purpose: LedgerSecretPurpose): Promise<Buffer> {
  const derived = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), INFO[purpose], 32));
  try {
    return await keys.getOrCreate(`${LEDGER_SECRET_PREFIX}${purpose}`, derived);
  } finally {
    derived.fill(0);
  }
}

/** Stores every secret not stored yet, under `masterKey`: a rotation does this first, so none is ever derived from the new key. */
export async function storeLedgerSecrets(keys: KeyStore, masterKey: Buffer): Promise<void> {
  for (const purpose of Object.keys(INFO) as LedgerSecretPurpose[])
    (await ledgerSecret(keys, masterKey, purpose)).fill(0);
}

/** Destroys every retired secret the key store still holds (a no-op once done). */
export async function retireLedgerSecrets(keys: KeyStore): Promise<void> {
  await keys.destroyMany(RETIRED.map((purpose) => `${LEDGER_SECRET_PREFIX}${purpose}`));
}
