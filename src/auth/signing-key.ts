import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { createSecretFile, readSecretFile } from '../secret-file.js';

/**
 * The embedded shape's token-signing key: an RS256 key pair generated into
 * `<dataDir>/token-signing.jwk` (mode 0600) on first start. The server
 * verifies with its public half; `privacy-ledger token` signs with it.
 * With AUTH_JWKS_URL set (Entra ID) it is never created nor used.
 */
export const SIGNING_KEY_FILE = 'token-signing.jwk';
export const SIGNING_ALGORITHM = 'RS256';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  /** the public half, as a JWK with `kid`, `alg` and `use` (for a local JWKS) */
  publicJwk: JWK;
}

export async function loadSigningKey(dataDir: string): Promise<SigningKey> {
  const file = path.join(dataDir, SIGNING_KEY_FILE);
  const text = readSecretFile(file) ?? createSecretFile(file, `${JSON.stringify(await generateJwk())}\n`);
  let jwk: JWK;
  try {
    jwk = JSON.parse(text) as JWK;
  } catch {
    throw new Error(
      `The token-signing key file ${file} is not a JSON Web Key; delete it to generate a new one (tokens signed with it stop working).`,
    );
  }
  if (jwk.kty !== 'RSA' || !jwk.d || !jwk.kid) {
    throw new Error(
      `The token-signing key file ${file} does not hold an RSA private key; delete it to generate a new one.`,
    );
  }
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
  return {
    kid: jwk.kid,
    privateKey: (await importJWK(jwk, SIGNING_ALGORITHM)) as CryptoKey,
    publicJwk: { ...publicJwk, alg: SIGNING_ALGORITHM, use: 'sig' },
  };
}

async function generateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: SIGNING_ALGORITHM, use: 'sig' };
}
