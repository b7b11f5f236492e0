import { createHmac } from 'node:crypto';

/**
 * A blind index: a keyed HMAC of a personal value, so a read model can be
 * searched by the value (an AAD object id) without holding it in clear,
 * and nobody without the secret can test a guess against it. The secret is
 * a ledger secret (./ledger-secrets.ts): indexes are recorded in the log,
 * so it must survive a master-key rotation.
 */
export class BlindIndex {
  private readonly secret: Buffer;

  constructor(secret: Buffer) {
    this.secret = Buffer.from(secret);
  }

  of(value: string): string {
    return createHmac('sha256', this.secret).update(value).digest('base64url');
  }
}
