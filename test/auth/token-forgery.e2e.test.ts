import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64url, calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { loadSigningKey, type SigningKey } from '../../src/auth/signing-key.js';
import { mintToken } from '../../src/auth/token-issuer.js';
import type { TokenRefusal } from '../../src/errors.js';
import { postGraphql, tempDataDir, startTestServer, type TestServer } from '../server/harness.js';

const ME = '{ me { id roles } }';
const oid = '3c0ffee0-0000-4000-8000-000000000001';
const ISSUER = 'privacy-ledger-local';
const AUDIENCE = 'privacy-ledger';
const HOUR = 3600;

/** Signs the claims with a key and a header of our choosing. */
async function sign(
  key: CryptoKey,
  header: { alg: string; kid?: string },
  claims: Record<string, unknown>,
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header).sign(key);
}

const now = () => Math.floor(Date.now() / 1000);
const validClaims = (overrides: Record<string, unknown> = {}) => ({
  oid,
  roles: ['auditor'],
  iss: ISSUER,
  aud: AUDIENCE,
  iat: now(),
  nbf: now(),
  exp: now() + HOUR,
  ...overrides,
});
const encode = (value: unknown) => base64url.encode(JSON.stringify(value));

describe('a request whose bearer token is missing, forged, or not for us', () => {
  let data: ReturnType<typeof tempDataDir>;
  let server: TestServer;
  let key: SigningKey;
  let stranger: { privateKey: CryptoKey; kid: string };
  /** Claims signed with the ledger's own key: only the claims can be wrong. */
  const signed = (claims: Record<string, unknown>) => sign(key.privateKey, { alg: 'RS256', kid: key.kid }, claims);

  beforeAll(async () => {
    data = tempDataDir('pl-forge-');
    server = await startTestServer(data.dir, { NODE_ENV: 'production' });
    key = await loadSigningKey(data.dir);
    const pair = await generateKeyPair('RS256');
    stranger = { privateKey: pair.privateKey, kid: await calculateJwkThumbprint(await exportJWK(pair.publicKey)) };
  });
  afterAll(async () => {
    await server.close();
    data.remove();
  });

  const cases: Array<[string, TokenRefusal, () => Promise<Record<string, string>>]> = [
    ['no Authorization header', 'missing', async () => ({})],
    ['a Basic instead of a Bearer credential', 'not_bearer', async () => ({ authorization: 'Basic YWxpY2U6c2VjcmV0' })],
    ['garbage', 'malformed', async () => ({ authorization: 'Bearer not-a-token' })],
    ['three segments of garbage', 'malformed', async () => ({ authorization: 'Bearer a.b.c' })],
    [
      'alg none',
      'algorithm_not_allowed',
      async () => ({ authorization: `Bearer ${encode({ alg: 'none', typ: 'JWT' })}.${encode(validClaims())}.` }),
    ],
    [
      'HS256 signed with the public key as the secret',
      'algorithm_not_allowed',
      async () => {
        const secret = new TextEncoder().encode(JSON.stringify(key.publicJwk));
        const token = await new SignJWT(validClaims()).setProtectedHeader({ alg: 'HS256', kid: key.kid }).sign(secret);
        return { authorization: `Bearer ${token}` };
      },
    ],
    [
      'signed with another key under our key id',
      'bad_signature',
      async () => ({
        authorization: `Bearer ${await sign(stranger.privateKey, { alg: 'RS256', kid: key.kid }, validClaims())}`,
      }),
    ],
    [
      'signed with an unknown key id',
      'unknown_key',
      async () => ({
        authorization: `Bearer ${await sign(stranger.privateKey, { alg: 'RS256', kid: stranger.kid }, validClaims())}`,
      }),
    ],
    [
      'a valid signature over other claims (roles raised)',
      'bad_signature',
      async () => {
        const [header, , signature] = (await sign(key.privateKey, { alg: 'RS256', kid: key.kid }, validClaims())).split(
          '.',
        );
        return { authorization: `Bearer ${header}.${encode(validClaims({ roles: ['operator'] }))}.${signature}` };
      },
    ],
    [
      'expired beyond the clock-skew allowance',
      'expired',
      async () => ({
        authorization: `Bearer ${await mintToken(key, ISSUER, AUDIENCE, { role: 'auditor', oid, ttlSeconds: 60, now: new Date(Date.now() - 10 * 60_000) })}`,
      }),
    ],
    [
      'not valid before a time beyond the allowance',
      'not_yet_valid',
      async () => ({
        authorization: `Bearer ${await sign(key.privateKey, { alg: 'RS256', kid: key.kid }, validClaims({ nbf: now() + 600 }))}`,
      }),
    ],
    [
      'without an expiry',
      'no_expiry',
      async () => ({
        authorization: `Bearer ${await sign(key.privateKey, { alg: 'RS256', kid: key.kid }, validClaims({ exp: undefined }))}`,
      }),
    ],
    [
      'with an exp a hundred years ahead',
      'lifetime_too_long',
      async () => ({ authorization: `Bearer ${await signed(validClaims({ exp: now() + 100 * 365 * 86400 }))}` }),
    ],
    [
      'with an exp of 1e300',
      'lifetime_too_long',
      async () => ({ authorization: `Bearer ${await signed(validClaims({ exp: 1e300 }))}` }),
    ],
    [
      'with an exp far ahead and no iat',
      'lifetime_too_long',
      async () => ({
        authorization: `Bearer ${await signed(validClaims({ iat: undefined, exp: now() + 365 * 86400 }))}`,
      }),
    ],
    [
      'issued beyond the clock-skew allowance in the future',
      'issued_in_future',
      async () => ({ authorization: `Bearer ${await signed(validClaims({ iat: now() + 600 }))}` }),
    ],
    [
      'living longer than the maximum lifetime (31 days)',
      'lifetime_too_long',
      async () => ({
        authorization: `Bearer ${await signed(validClaims({ iat: now() - 31 * 86400, nbf: now() - 31 * 86400 }))}`,
      }),
    ],
    [
      'from another issuer',
      'wrong_issuer',
      async () => ({
        authorization: `Bearer ${await mintToken(key, 'https://evil.example.com', AUDIENCE, { role: 'auditor', oid })}`,
      }),
    ],
    [
      'for another audience',
      'wrong_audience',
      async () => ({
        authorization: `Bearer ${await mintToken(key, ISSUER, 'another-api', { role: 'auditor', oid })}`,
      }),
    ],
    [
      'without an object id',
      'no_oid',
      async () => ({
        authorization: `Bearer ${await sign(key.privateKey, { alg: 'RS256', kid: key.kid }, validClaims({ oid: undefined }))}`,
      }),
    ],
  ];

  it.each(cases)(
    '%s is HTTP 401, UNAUTHENTICATED, with the one generic message and no data; the log says why (%s)',
    async (_name, reason, headers) => {
      const sent = await headers();
      const before = server.logs.lines.length;
      const res = await postGraphql(server.url, ME, {}, sent);
      expect(res.status).toBe(401);
      expect(res.data).toBeUndefined();
      expect(res.errors).toEqual([
        { message: 'A valid bearer token is required', extensions: { code: 'UNAUTHENTICATED' } },
      ]);
      const said = server.logs.lines.slice(before).filter((line) => line.includes('token refused'));
      expect(said).toHaveLength(1);
      expect(JSON.parse(said[0]!)).toMatchObject({ level: 30, msg: 'token refused', reason });
      // Nothing of the token: no segment of it, no object id.
      for (const part of (sent['authorization'] ?? '').split(/[ .]/).filter((p) => p.length >= 8))
        expect(said[0]).not.toContain(part);
      expect(said[0]).not.toContain(oid);
    },
  );

  it.each(['bearer', 'BEARER', 'Bearer  '])(
    'the scheme is case-insensitive: "%s <token>" is accepted',
    async (scheme) => {
      const token = await mintToken(key, ISSUER, AUDIENCE, { role: 'auditor', oid });
      const res = await postGraphql<any>(server.url, ME, {}, { authorization: `${scheme} ${token}` });
      expect(res.status).toBe(200);
      expect(res.data!.me).toEqual({ id: oid, roles: ['auditor'] });
    },
  );

  it('a token of the whole maximum lifetime (30 days for the embedded key) is accepted', async () => {
    const token = await mintToken(key, ISSUER, AUDIENCE, { role: 'auditor', oid, ttlSeconds: 30 * 86400 });
    expect((await postGraphql(server.url, ME, {}, { authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it('a 401 tells the client to bring a bearer token', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: ME }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('a token just past its expiry, within the clock-skew allowance, is still accepted; and the server kept serving', async () => {
    const token = await mintToken(key, ISSUER, AUDIENCE, {
      role: 'auditor',
      oid,
      ttlSeconds: 60,
      now: new Date(Date.now() - 90_000),
    });
    const res = await postGraphql<any>(server.url, ME, {}, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(res.data!.me).toEqual({ id: oid, roles: ['auditor'] });
  });
});
