import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { Idempotency, idempotencySubject } from '../../src/events/idempotency.js';
import { SqliteKeyStore } from '../../src/privacy/keys/sqlite-key-store.js';
import { tempDataDir } from '../server/harness.js';

describe('idempotency marks', () => {
  const data = tempDataDir('pl-idempotency-');
  const keys = SqliteKeyStore.open(path.join(data.dir, 'keys.sqlite'), randomBytes(32));
  afterAll(async () => {
    await keys.close();
    data.remove();
  });
  const idempotency = new Idempotency(randomBytes(32), keys);

  it('the same input under the same key gives the same fingerprint, whatever the key order', () => {
    const a = idempotency.mark('retry-key-1', 'UpdateContact', { id: 'x', contact: { email: 'a@b.cn', name: 'Li' } });
    const b = idempotency.mark('retry-key-1', 'UpdateContact', { contact: { name: 'Li', email: 'a@b.cn' }, id: 'x' });
    expect(a).toEqual(b);
  });

  it('other input or another operation gives another fingerprint', () => {
    const a = idempotency.mark('retry-key-1', 'UpdateContact', { email: 'a@b.cn' });
    expect(idempotency.mark('retry-key-1', 'UpdateContact', { email: 'c@b.cn' }).fingerprint).not.toBe(a.fingerprint);
    expect(idempotency.mark('retry-key-1', 'Register', { email: 'a@b.cn' }).fingerprint).not.toBe(a.fingerprint);
  });

  it('the fingerprint does not reveal the input, and differs under another master key', () => {
    const mark = idempotency.mark('retry-key-1', 'UpdateContact', { email: 'li.lei@contoso.cn' });
    expect(JSON.stringify(mark)).not.toContain('li.lei');
    expect(
      new Idempotency(randomBytes(32), keys).mark('retry-key-1', 'UpdateContact', { email: 'li.lei@contoso.cn' })
        .fingerprint,
    ).not.toBe(mark.fingerprint);
  });

  it("personal input is fingerprinted under its stream's key: stable until the stream's key is destroyed, then another fingerprint", async () => {
    const input = { contact: { telephone: '+8613912345670' } };
    const first = await idempotency.markPersonal('retry-key-1', 'UpdateContact', input, 'publisher-a');
    expect(await idempotency.markPersonal('retry-key-1', 'UpdateContact', input, 'publisher-a')).toEqual(first);
    expect((await idempotency.markPersonal('retry-key-1', 'UpdateContact', input, 'publisher-b')).fingerprint).not.toBe(
      first.fingerprint,
    );
    expect(idempotency.mark('retry-key-1', 'UpdateContact', input).fingerprint).not.toBe(first.fingerprint);
    expect(await keys.destroy(idempotencySubject('publisher-a'))).toBe(true);
    expect((await idempotency.markPersonal('retry-key-1', 'UpdateContact', input, 'publisher-a')).fingerprint).not.toBe(
      first.fingerprint,
    );
    await expect(idempotency.markPersonal('short', 'UpdateContact', input, 'publisher-a')).rejects.toThrow(
      ValidationError,
    );
  });

  it('a malformed key is BAD_USER_INPUT naming idempotencyKey', () => {
    for (const key of ['short', 'has spaces in it', 'x'.repeat(129)]) {
      expect(() => idempotency.mark(key, 'op', {}), key).toThrow(ValidationError);
    }
  });

  it('an id derived from actor and key is a stable UUID, distinct per actor and per key', () => {
    const id = idempotency.derivedId('actor-1', 'create-key-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(idempotency.derivedId('actor-1', 'create-key-1')).toBe(id);
    expect(idempotency.derivedId('actor-2', 'create-key-1')).not.toBe(id);
    expect(idempotency.derivedId('actor-1', 'create-key-2')).not.toBe(id);
  });
});
