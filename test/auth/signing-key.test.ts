import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSigningKey, SIGNING_KEY_FILE } from '../../src/auth/signing-key.js';
import { createTokenVerifier } from '../../src/auth/token-verifier.js';
import { mintToken, parseTtl } from '../../src/auth/token-issuer.js';
import { UnauthenticatedError } from '../../src/errors.js';
import { tempDataDir } from '../server/harness.js';

describe('the embedded token-signing key', () => {
  let data: ReturnType<typeof tempDataDir>;
  beforeEach(() => (data = tempDataDir('pl-key-')));
  afterEach(() => data.remove());
  const file = () => path.join(data.dir, SIGNING_KEY_FILE);

  it('is generated on first use, readable by its owner only, and the same on every later load', async () => {
    const first = await loadSigningKey(data.dir);
    expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
    expect((await loadSigningKey(data.dir)).kid).toBe(first.kid);
    expect(first.publicJwk).not.toHaveProperty('d');
  });

  it('two processes starting at once end up with one key', async () => {
    const keys = await Promise.all([loadSigningKey(data.dir), loadSigningKey(data.dir), loadSigningKey(data.dir)]);
    expect(new Set(keys.map((k) => k.kid)).size).toBe(1);
    expect(fs.readdirSync(data.dir)).toEqual([SIGNING_KEY_FILE]);
  });

  it('a token it signs verifies with the configured issuer and audience, and its principal is what was asked', async () => {
    const key = await loadSigningKey(data.dir);
    const verifier = await createTokenVerifier({
      dataDir: data.dir,
      authIssuer: 'iss',
      authAudience: 'aud',
      authClockSkewSeconds: 60,
    });
    const oid = '7e57ab1e-0000-4000-8000-000000000009';
    const token = await mintToken(key, 'iss', 'aud', { role: 'analyst', oid, userPrincipalName: 'wang@contoso.cn' });
    expect(await verifier.verify(`Bearer ${token}`)).toMatchObject({
      id: oid,
      kind: 'user',
      roles: ['analyst'],
      userPrincipalName: 'wang@contoso.cn',
    });
  });

  it('a token verified once is still refused once it has expired (verified tokens are remembered only until their expiry)', async () => {
    const key = await loadSigningKey(data.dir);
    let now = new Date('2026-11-23T08:00:00.000Z');
    const verifier = await createTokenVerifier(
      { dataDir: data.dir, authIssuer: 'iss', authAudience: 'aud', authClockSkewSeconds: 60 },
      { now: () => now },
    );
    const token = `Bearer ${await mintToken(key, 'iss', 'aud', { role: 'auditor', ttlSeconds: 600, now })}`;
    expect((await verifier.verify(token)).roles).toEqual(['auditor']);
    now = new Date('2026-11-23T08:10:59.000Z'); // past exp, within the skew allowance
    expect((await verifier.verify(token)).roles).toEqual(['auditor']);
    now = new Date('2026-11-23T08:11:01.000Z');
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('a damaged key file stops start-up with a sentence naming the file, not the key', async () => {
    fs.mkdirSync(data.dir, { recursive: true });
    fs.writeFileSync(file(), 'not json', { mode: 0o600 });
    await expect(loadSigningKey(data.dir)).rejects.toThrow(
      `The token-signing key file ${file()} is not a JSON Web Key`,
    );
  });

  it.each([
    ['90s', 90],
    ['15m', 900],
    ['8h', 28_800],
    ['7d', 604_800],
    ['3600', 3600],
  ])('a lifetime of %s is %i seconds', (text, seconds) => {
    expect(parseTtl(text)).toBe(seconds);
  });

  it.each(['0s', '31d', '1y', 'soon'])('a lifetime of %s is refused', (text) => {
    expect(() => parseTtl(text)).toThrow(/ttl/);
  });
});
