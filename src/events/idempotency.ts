import { createHash, createHmac } from 'node:crypto';
import { ValidationError } from '../errors.js';
import type { KeyStore } from '../privacy/keys/key-store.js';
import { keyIdOf } from '../privacy/personal-value.js';

/** What a mutation's idempotency key becomes in the metadata of the events it appended. */
export interface IdempotencyMark {
  key: string;
  /** HMAC of the operation and its normalised input: the same key with other input is refused */
  fingerprint: string;
  /**
   * Input that may hold personal data: the id of the stream's idempotency key
   * it was fingerprinted under (keyIdOf, an HMAC of the key), so an erasure
   * can record exactly the keys whose fingerprints it must destroy.
   */
  keyId?: string;
}

const KEY = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * The key-store subject whose key fingerprints the personal input of a
 * stream's idempotent changes. An erasure that erases someone of the stream
 * records the ids of the keys it had then and destroys them
 * (src/privacy/keys/stream-keys.ts), so no fingerprint written before can be
 * tested against a guessed value afterwards.
 */
export const idempotencySubject = (streamId: string): string => `${IDEMPOTENCY_PREFIX}${streamId}`;
export const IDEMPOTENCY_PREFIX = 'idempotency/';

/**
 * Idempotent mutations. The key and a fingerprint of the input are stored in
 * the metadata of the events the first attempt appended, so they commit
 * atomically with them; a retry reads them back from the stream it targets.
 * The fingerprint is an HMAC, so the log never holds a plain hash of the
 * input. Input without personal data is fingerprinted under a ledger secret,
 * which survives a master-key rotation (src/privacy/keys/ledger-secrets.ts), so a
 * retry after one is still recognised. Input that may hold personal data is
 * fingerprinted under the stream's own key ({@link idempotencySubject}),
 * which an erasure that erases someone of the stream destroys: a secret that
 * survives erasure must not open a guessing attack on an erased telephone
 * number. A retry after such an erasure no longer matches its fingerprint and
 * is refused (BAD_USER_INPUT, idempotencyKey); an erasure that erases nothing
 * leaves retries alone. Both are key-store keys, re-wrapped by a rotation.
 */
export class Idempotency {
  private readonly secret: Buffer;

  constructor(
    secret: Buffer,
    private readonly keys: KeyStore,
  ) {
    this.secret = Buffer.from(secret);
  }

  /** Validates a client's key and binds it to the operation and its input, which holds no personal data (it is keyed by the ledger's idempotency secret). */
  mark(key: string, operation: string, input: unknown): IdempotencyMark {
    return { key: requireKey(key), fingerprint: fingerprintOf(this.secret, operation, input) };
  }

  /** Like {@link mark}, for input that may hold personal data: keyed by the stream's idempotency key, which erasure destroys. */
  async markPersonal(key: string, operation: string, input: unknown, streamId: string): Promise<IdempotencyMark> {
    requireKey(key);
    const secret = await this.keys.getOrCreate(idempotencySubject(streamId));
    try {
      return { key, fingerprint: fingerprintOf(secret, operation, input), keyId: keyIdOf(secret) };
    } finally {
      secret.fill(0);
    }
  }

  /**
   * The id of an entity created under an idempotency key without a client-chosen
   * id: derived from who asked and the key, so a retry reaches the same stream.
   * Formatted as a UUID version 8 (RFC 9562, custom).
   */
  derivedId(actorId: string, key: string): string {
    const h = createHash('sha256').update(this.secret).update(`${actorId}\0${key}`).digest('hex');
    const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

/**
 * A retry whose key was used with other input, or whose first attempt's data
 * (or person) was erased since: the same field and rule for every mutation.
 */
export function reusedKeyError(): ValidationError {
  return new ValidationError('idempotencyKey', 'was already used with different input, or for data erased since');
}

function requireKey(key: string): string {
  if (!KEY.test(key)) throw new ValidationError('idempotencyKey', 'must be 8 to 128 letters, digits or . _ : -');
  return key;
}

/** HMAC-SHA256 of the operation and its canonical input, base64url. */
export function fingerprintOf(secret: Buffer, operation: string, input: unknown): string {
  return createHmac('sha256', secret)
    .update(`${operation}\0${canonicalJson(input)}`)
    .digest('base64url');
}

/** JSON with object keys sorted, so equal input always fingerprints the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
