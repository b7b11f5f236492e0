import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** How a data key is wrapped by the master key (AES-256-GCM, bound to its subject). */
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** first byte of a wrapped key: the wrapping format */
const WRAP_VERSION = 1;
const WRAPPED_BYTES = 1 + IV_BYTES + KEY_BYTES + TAG_BYTES;

export function wrapKey(masterKey: Buffer, subjectId: string, key: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(wrapAad(subjectId));
  const body = Buffer.concat([cipher.update(key), cipher.final()]);
  return Buffer.concat([Buffer.of(WRAP_VERSION), iv, body, cipher.getAuthTag()]);
}

/** The data key, or undefined when `masterKey` is not the one that wrapped it (or the bytes were altered). */
export function unwrapKey(masterKey: Buffer, subjectId: string, wrapped: Buffer): Buffer | undefined {
  if (wrapped.length !== WRAPPED_BYTES || wrapped[0] !== WRAP_VERSION) {
    throw new Error('A wrapped data key in the key store has an unknown format.');
  }
  const iv = wrapped.subarray(1, 1 + IV_BYTES);
  const body = wrapped.subarray(1 + IV_BYTES, wrapped.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', masterKey, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(wrapAad(subjectId));
  decipher.setAuthTag(wrapped.subarray(wrapped.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** A value that tells whether a master key is the store's, and reveals nothing about it. */
export function masterKeyCheck(masterKey: Buffer): Buffer {
  return createHmac('sha256', masterKey).update('privacy-ledger key store check v1').digest();
}

/** The wrapped key is bound to its subject: it cannot be moved to another one. */
function wrapAad(subjectId: string): Buffer {
  return Buffer.from(`privacy-ledger/subject-key/v1\0${subjectId}`, 'utf8');
}
