import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { takeRandom } from '../random-pool.js';

/**
 * The stored form of one personal value, as it appears inside an event's
 * `data` or `metadata` (and in read models): the value's JSON, encrypted
 * with AES-256-GCM under its data subject's key.
 *
 * - `$pd` is the format version (1);
 * - `s` is the data subject id; it picks the key and is the additional
 *   authenticated data, so a sealed value cannot be moved to another subject;
 * - `k` identifies the key it was sealed with (see {@link keyIdOf}). After an
 *   erasure the subject may get a new key; a value sealed under the destroyed
 *   one must then read as erased, not fail as if it had been tampered with;
 * - `c` is base64 of iv (12 bytes) | ciphertext | auth tag (16 bytes).
 *
 * Once the subject's key is destroyed the value reads as {@link ERASED}.
 */
export interface PersonalValue {
  $pd: 1;
  /** data subject id */
  s: string;
  /** key id: base64url of the first 8 bytes of HMAC-SHA256(key, a constant) */
  k: string;
  /** base64: iv(12) | ciphertext | tag(16) */
  c: string;
}

/** What a personal value reads as once its subject's key is destroyed. */
export interface ErasedValue {
  $erased: true;
}

export const ERASED: ErasedValue = Object.freeze({ $erased: true as const });

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function isPersonalValue(x: unknown): x is PersonalValue {
  return (
    isRecord(x) &&
    x['$pd'] === 1 &&
    typeof x['s'] === 'string' &&
    typeof x['k'] === 'string' &&
    typeof x['c'] === 'string'
  );
}

export function isErased(x: unknown): x is ErasedValue {
  return isRecord(x) && x['$erased'] === true;
}

function checkKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
    throw new Error(`A data key must be ${KEY_BYTES} bytes.`);
  }
}

/**
 * A short, public identifier of a data key (a one-way function of it): it
 * tells which key a value was sealed with and reveals nothing about the key.
 */
export function keyIdOf(key: Buffer): string {
  checkKey(key);
  return createHmac('sha256', key).update('privacy-ledger/key-id/v1').digest().subarray(0, 8).toString('base64url');
}

/**
 * The additional authenticated data of a subject's values: its id's bytes.
 * (Not memoised: 0.2 µs beside an AES-GCM operation of about 6 µs.)
 */
function aadOf(subjectId: string): Buffer {
  return Buffer.from(subjectId, 'utf8');
}

/**
 * Encrypts `value` (anything JSON can represent) under the subject's key.
 * `keyId` may be passed when already known (it must be keyIdOf(key)).
 */
export function sealValue(key: Buffer, subjectId: string, value: unknown, keyId = keyIdOf(key)): PersonalValue {
  checkKey(key);
  const json = JSON.stringify(value);
  if (typeof json !== 'string') {
    throw new TypeError('A personal value must be representable as JSON.');
  }
  const iv = takeRandom(IV_BYTES); // used (copied into the output) before the pool hands out more
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadOf(subjectId));
  // One copy: iv | ciphertext | tag (final() before getAuthTag(): array elements are evaluated in order).
  const c = Buffer.concat([iv, cipher.update(json, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
  return { $pd: 1, s: subjectId, k: keyId, c };
}

/** Whether `pv` was sealed with the key whose id is `keyId` (else: with a destroyed one). */
export function isSealedWith(pv: PersonalValue, keyId: string): boolean {
  return pv.k === keyId;
}

/**
 * Decrypts a sealed value with its subject's key. Throws (without revealing
 * anything about the value) if it was sealed with another key, or the key is
 * wrong, or the value was altered. `keyId` as for {@link sealValue}.
 */
export function openValue(key: Buffer, pv: PersonalValue, keyId = keyIdOf(key)): unknown {
  checkKey(key);
  if (!isSealedWith(pv, keyId)) {
    throw new Error('A personal value was sealed with another key than the one given.');
  }
  const raw = Buffer.from(pv.c, 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES) {
    throw new Error('A personal value is malformed: its ciphertext is too short.');
  }
  const iv = raw.subarray(0, IV_BYTES);
  const tag = raw.subarray(raw.length - TAG_BYTES);
  const body = raw.subarray(IV_BYTES, raw.length - TAG_BYTES);
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aadOf(pv.s));
  decipher.setAuthTag(tag);
  let json: string;
  try {
    json = decipher.update(body, undefined, 'utf8') + decipher.final('utf8');
  } catch {
    throw new Error('A personal value could not be decrypted: the key does not match or the value was altered.');
  }
  return JSON.parse(json) as unknown;
}

/** What the API shows for a stored personal value: its text, or null when absent or erased. */
export function shownOrNull(value: unknown): string | null {
  return value === undefined || value === null || isErased(value) ? null : String(value);
}

/** Whether any of these opened values reads as erased (the API's `erased` marker). */
export function anyErased(values: readonly unknown[]): boolean {
  return values.some(isErased);
}

/**
 * The API's `erased` marker of a person whose values can be given again (the
 * contact): erased while some value reads as erased and none is readable. An
 * edit after an erasure starts the person afresh under a new key: its values
 * read in clear, the fields it did not give read null until given again.
 */
export function erasedUntilRewritten(values: readonly unknown[]): boolean {
  return anyErased(values) && values.every((value) => value === undefined || value === null || isErased(value));
}
