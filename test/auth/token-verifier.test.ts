import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createTokenVerifier, type TokenVerifier } from '../../src/auth/token-verifier.js';
import { UnauthenticatedError } from '../../src/errors.js';

/** Entra ID as the verifier sees it: an issuer, an audience and a JWKS served over HTTP (here on loopback). */
const ISSUER = 'https://login.microsoftonline.com/0d5e7a11-0000-4000-8000-00000000f00d/v2.0';
const AUDIENCE = 'api://privacy-ledger';
const oid = '7e57ab1e-0000-4000-8000-000000000001';

describe('tokens from Entra ID (issuer, audience and JWKS URL from configuration)', () => {
  let jwks: http.Server;
  let verifier: TokenVerifier;
  let rsa: CryptoKey;
  let ec: CryptoKey;
  let fetches = 0;

  beforeAll(async () => {
    const rsaPair = await generateKeyPair('RS256');
    const ecPair = await generateKeyPair('ES256');
    rsa = rsaPair.privateKey;
    ec = ecPair.privateKey;
    const keys = [
      { ...(await exportJWK(rsaPair.publicKey)), kid: 'rsa-1', use: 'sig' },
      { ...(await exportJWK(ecPair.publicKey)), kid: 'ec-1', use: 'sig' },
    ];
    jwks = http.createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    verifier = await createTokenVerifier({
      dataDir: '/nonexistent',
      authIssuer: ISSUER,
      authAudience: AUDIENCE,
      authJwksUrl: `http://127.0.0.1:${port}/discovery/v2.0/keys`,
      authClockSkewSeconds: 60,
    });
  });
  afterAll(() => new Promise<void>((resolve) => jwks.close(() => resolve())));

  const token = (key: CryptoKey, alg: string, kid: string, claims: Record<string, unknown>) =>
    new SignJWT({ oid, ...claims })
      .setProtectedHeader({ alg, kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key);

  it('an RS256 access token with app roles becomes a principal with those roles (unknown role values are ignored)', async () => {
    const jwt = await token(rsa, 'RS256', 'rsa-1', {
      roles: ['auditor', 'Global.Admin'],
      preferred_username: 'wang.fang@contoso.cn',
      name: 'Wang Fang',
    });
    expect(await verifier.verify(`Bearer ${jwt}`)).toEqual({
      id: oid,
      kind: 'user',
      roles: ['auditor'],
      userPrincipalName: 'wang.fang@contoso.cn',
      displayName: 'Wang Fang',
    });
  });

  it('an app-only token (idtyp app) is a service principal', async () => {
    const jwt = await token(rsa, 'RS256', 'rsa-1', { roles: ['operator'], idtyp: 'app' });
    expect(await verifier.verify(`Bearer ${jwt}`)).toMatchObject({ id: oid, kind: 'service', roles: ['operator'] });
  });

  it('a token signed with a key of the set but not RS256 is refused (RS256 only)', async () => {
    const jwt = await token(ec, 'ES256', 'ec-1', { roles: ['operator'] });
    await expect(verifier.verify(`Bearer ${jwt}`)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('a token for the tenant but another audience is refused', async () => {
    const jwt = await new SignJWT({ oid })
      .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' })
      .setIssuer(ISSUER)
      .setAudience('api://other')
      .setExpirationTime('1h')
      .sign(rsa);
    await expect(verifier.verify(`Bearer ${jwt}`)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('the key set is fetched from the configured URL and reused, not fetched per request', () => {
    expect(fetches).toBe(1);
  });

  it('an unreachable key set is a server failure, not the caller being unauthenticated', async () => {
    const down = http.createServer();
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const { port } = down.address() as AddressInfo;
    await new Promise<void>((resolve) => down.close(() => resolve()));
    const offline = await createTokenVerifier({
      dataDir: '/nonexistent',
      authIssuer: ISSUER,
      authAudience: AUDIENCE,
      authJwksUrl: `http://127.0.0.1:${port}/keys`,
      authClockSkewSeconds: 60,
    });
    const jwt = await token(rsa, 'RS256', 'rsa-1', {});
    const failure = await offline.verify(`Bearer ${jwt}`).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(UnauthenticatedError);
  });
});
