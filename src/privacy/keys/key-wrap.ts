import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { LRUCache } from 'lru-cache';
import { expiringCache } from '../../idle-expiry.js';
import type { Forgetful } from '../forgetting.js';

/**
 * What every KeyStore adapter does the same way: wrap each subject's data
 * key with the master key, recognise a wrong master key, and cache
 * unwrapped keys in memory. Adapters differ only in where the wrapped keys
 * live and what deleting one leaves behind.
 */
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** first byte of a wrapped key: the wrapping format */
const WRAP_VERSION = 1;
const WRAPPED_BYTES = 1 + IV_BYTES + KEY_BYTES + TAG_BYTES;

export const MISMATCH =
  'The master key does not match the key store (use the master key it was created with: PRIVACY_LEDGER_MASTER_KEY or master.key), or the key store was altered.';

/** AES-256-GCM under the master key, with the subject id as additional data. */
export class KeyWrapper {
  private readonly masterKey: Buffer;

  constructor(masterKey: Buffer) {
    if (!Buffer.isBuffer(masterKey) || masterKey.length !== KEY_BYTES)
      throw new Error(`The master key must be ${KEY_BYTES} bytes.`);
    this.masterKey = Buffer.from(masterKey);
  }

  wrap(subjectId: string, key: Buffer): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(wrapAad(subjectId));
    const body = Buffer.concat([cipher.update(key), cipher.final()]);
    return Buffer.concat([Buffer.of(WRAP_VERSION), iv, body, cipher.getAuthTag()]);
  }

  /** The raw key; throws MISMATCH when the master key is another, or the wrapped key was moved or altered. */
  unwrap(subjectId: string, wrapped: Buffer): Buffer {
    if (wrapped.length !== WRAPPED_BYTES || wrapped[0] !== WRAP_VERSION) {
      throw new Error('A wrapped data key in the key store has an unknown format.');
    }
    const iv = wrapped.subarray(1, 1 + IV_BYTES);
    const body = wrapped.subarray(1 + IV_BYTES, wrapped.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.masterKey, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(wrapAad(subjectId));
    decipher.setAuthTag(wrapped.subarray(wrapped.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      throw new Error(MISMATCH);
    }
  }

  /**
   * A value a store keeps beside its keys (an HMAC of a constant, revealing
   * nothing about the master key) and compares on every open, so a wrong
   * master key fails at start-up rather than at the first read, and can
   * never wrap new keys into a store that holds keys of another master key.
   */
  checkValue(): Buffer {
    return createHmac('sha256', this.masterKey).update('privacy-ledger key store check v1').digest();
  }

  /** Throws MISMATCH unless `stored` is this master key's check value. */
  verify(stored: Buffer | undefined): void {
    const check = this.checkValue();
    if (!stored || stored.length !== check.length || !timingSafeEqual(stored, check)) throw new Error(MISMATCH);
  }

  destroy(): void {
    this.masterKey.fill(0);
  }
}

/** The wrapped key is bound to its subject: it cannot be moved to another one. */
function wrapAad(subjectId: string): Buffer {
  return Buffer.from(`privacy-ledger/subject-key/v1\0${subjectId}`, 'utf8');
}

/** Unwrapped keys remembered unless configured (`--key-cache-entries`). */
export const KEY_CACHE_ENTRIES = 10_000;

/**
 * Unwrapped keys, least recently used evicted first, zeroed whenever they
 * leave (evicted, replaced, forgotten at erasure, cleared at close).
 * A budget of 0 keeps none.
 */
export class KeyCache implements Forgetful {
  private readonly keys: LRUCache<string, Buffer> | undefined;

  constructor(maxEntries = KEY_CACHE_ENTRIES) {
    this.keys = maxEntries > 0 ? expiringCache({ max: maxEntries, dispose: (key) => key.fill(0) }) : undefined;
  }

  get(subjectId: string): Buffer | undefined {
    return this.keys?.get(subjectId);
  }

  /** Takes `key` (zeroed here): the cache keeps a copy in memory of its own. */
  set(subjectId: string, key: Buffer): void {
    // An unwrapped key is a 32-byte slice of Node's shared 8 KB buffer pool:
    // kept as is, each cached key would pin a whole slab (10,000 keys, up to
    // 80 MB of RSS in the soak). A copy outside the pool holds its 32 bytes.
    if (this.keys) this.keys.set(subjectId, ownMemory(key));
    key.fill(0);
  }

  forgetSubjects(subjectIds: ReadonlySet<string>): void {
    for (const subjectId of subjectIds) this.keys?.delete(subjectId);
  }

  clear(): void {
    this.keys?.clear();
  }
}

/** A copy of `bytes` in an ArrayBuffer of their exact size (not a slice of the shared pool): for copies a cache keeps. */
export function ownMemory(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}
