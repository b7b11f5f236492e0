import { createHmac, hkdfSync } from 'node:crypto';

/**
 * A blind index: a keyed HMAC of a personal value, under a secret derived
 * from the master key, so a read model can be searched by the value (an AAD
 * object id) without holding it in clear, and nobody without the master key
 * can test a guess against it.
 */
export class BlindIndex {
  private readonly secret: Buffer;

  constructor(masterKey: Buffer, purpose: string) {
    this.secret = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `privacy-ledger/blind-index/${purpose}/v1`, 32));
  }

  of(value: string): string {
    return createHmac('sha256', this.secret).update(value).digest('base64url');
  }
}
