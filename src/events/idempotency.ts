import { createHash, createHmac } from 'node:crypto';
import { ValidationError } from '../errors.js';

/** What a mutation's idempotency key becomes in the metadata of the events it appended. */
export interface IdempotencyMark {
  key: string;
  /** HMAC of the operation and its normalised input: the same key with other input is refused */
  fingerprint: string;
}

const KEY = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Idempotent mutations. The key and a fingerprint of the input are stored in
 * the metadata of the events the first attempt appended, so they commit
 * atomically with them; a retry reads them back from the stream it targets.
 * The fingerprint is an HMAC under a ledger secret, so the log never holds
 * a guessable hash of personal input; the secret survives a master-key
 * rotation (src/privacy/ledger-secrets.ts), so a retry after one is still
 * recognised.
 */
export class Idempotency {
  private readonly secret: Buffer;

  constructor(secret: Buffer) {
    this.secret = Buffer.from(secret);
  }

  /** Validates a client's key and binds it to the operation and its input. */
  mark(key: string, operation: string, input: unknown): IdempotencyMark {
    if (!KEY.test(key)) {
      throw new ValidationError('idempotencyKey', 'must be 8 to 128 letters, digits or . _ : -');
    }
    const fingerprint = createHmac('sha256', this.secret)
      .update(`${operation}\0${canonicalJson(input)}`)
      .digest('base64url');
    return { key, fingerprint };
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
