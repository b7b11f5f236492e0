import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { expiringCache } from '../idle-expiry.js';
import { systemClock, type Clock } from '../clock.js';
import { UnauthenticatedError, type TokenRefusal } from '../errors.js';
import { principalOf, type Principal } from './principal.js';
import { loadSigningKey, SIGNING_ALGORITHM } from './signing-key.js';

/** What verification needs from the configuration (src/server/config.ts). */
export interface AuthConfig {
  dataDir: string;
  authIssuer: string;
  authAudience: string;
  /** Entra ID's JWKS; when absent, the embedded signing key in the data directory */
  authJwksUrl?: string;
  authClockSkewSeconds: number;
  /** longest lifetime (exp − iat, and exp − now) a token may claim; by default as `maxTokenLifetimeSeconds` */
  authMaxTokenLifetimeSeconds?: number;
  /** verified tokens remembered (least recently used out first); default TOKEN_CACHE_ENTRIES */
  tokenCacheEntries?: number;
}

/** Verified tokens remembered unless configured (`--token-cache-entries`). */
export const TOKEN_CACHE_ENTRIES = 10_000;

/**
 * The longest token lifetime accepted unless configured: Entra ID issues
 * access tokens for at most a day (configurable lifetimes stop there); the
 * embedded key's tokens for at most 30 days (`privacy-ledger token --ttl`).
 */
export function maxTokenLifetimeSeconds(config: Pick<AuthConfig, 'authJwksUrl'>): number {
  return config.authJwksUrl ? 24 * 3600 : 30 * 86400;
}

/** Turns an Authorization header into a principal, or throws UnauthenticatedError. */
export interface TokenVerifier {
  verify(authorization: string | undefined): Promise<Principal>;
}

// The auth scheme is case-insensitive (RFC 9110 §11.1), followed by one or more spaces.
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

/**
 * Bearer JWTs, RS256 only (so `alg: none` and HMAC tokens signed with a
 * public key are refused before any key is looked at), with the configured
 * issuer and audience and a small clock-skew allowance, and no longer-lived
 * than the maximum lifetime (an `exp` a century ahead is a stolen key's
 * dream). Every failure is the same UnauthenticatedError.
 */
export async function createTokenVerifier(config: AuthConfig, clock: Clock = systemClock): Promise<TokenVerifier> {
  const keys: JWTVerifyGetKey = config.authJwksUrl
    ? createRemoteJWKSet(new URL(config.authJwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000 })
    : createLocalJWKSet({ keys: [(await loadSigningKey(config.dataDir)).publicJwk] });
  const options = {
    issuer: config.authIssuer,
    audience: config.authAudience,
    algorithms: [SIGNING_ALGORITHM],
    clockTolerance: config.authClockSkewSeconds,
    requiredClaims: ['exp'],
  };
  const maxLifetime = config.authMaxTokenLifetimeSeconds ?? maxTokenLifetimeSeconds(config);
  // A verified token's principal, until the token expires: an RS256 verification costs ~150 µs.
  // Keyed by the whole Authorization header, which determines the token: a known header is not parsed again.
  // Least recently used out first; an expired one leaves when next met, when the budget needs room, or
  // once unused for the idle expiry (src/idle-expiry.ts). `until` is checked here, on the injected clock:
  // no TTL per token in the cache (lru-cache's check read the clock on every hit, about 1% of a query's
  // request thread; the idle expiry reads it once a second).
  const verified = expiringCache<string, { principal: Principal; until: number }>({
    max: Math.max(1, config.tokenCacheEntries ?? TOKEN_CACHE_ENTRIES),
  });
  return {
    async verify(authorization) {
      const now = clock.now();
      const cached = authorization ? verified.get(authorization) : undefined;
      if (cached && now.getTime() < cached.until) return cached.principal;
      const token = authorization && BEARER.exec(authorization.trim())?.[1];
      if (!token)
        throw new UnauthenticatedError(
          !authorization ? 'missing' : /^bearer\s/i.test(authorization.trim()) ? 'malformed' : 'not_bearer',
        );
      if (cached) verified.delete(authorization);
      let claims: Record<string, unknown>;
      try {
        claims = (await jwtVerify(token, keys, { ...options, currentDate: now })).payload;
      } catch (error) {
        // Entra ID's key set unreachable is our failure, not the caller's: INTERNAL_SERVER_ERROR (logged), not 401.
        if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
          throw new Error('the token signing keys could not be fetched', { cause: error });
        }
        throw new UnauthenticatedError(refusalOf(error));
      }
      const refusal = lifetimeRefusal(claims, now.getTime() / 1000, maxLifetime, config.authClockSkewSeconds);
      if (refusal) throw new UnauthenticatedError(refusal);
      const principal = principalOf(claims);
      const until = (Number(claims['exp']) + config.authClockSkewSeconds) * 1000;
      if (until > now.getTime()) verified.set(authorization, { principal, until });
      return principal;
    },
  };
}

/** Which check a token failed, from jose's error (its class, and the claim it names). */
function refusalOf(error: errors.JOSEError): TokenRefusal {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'exp') return 'no_expiry';
    if (error.claim === 'nbf') return 'not_yet_valid';
    if (error.claim === 'iss') return 'wrong_issuer';
    if (error.claim === 'aud') return 'wrong_audience';
    return 'invalid_claim';
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return 'algorithm_not_allowed';
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
    return 'unknown_key';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  return 'malformed';
}

/**
 * `exp` at most the maximum lifetime (plus the skew) ahead of now; when the
 * token says when it was issued, not later than now (plus the skew) and at
 * most the maximum lifetime before `exp`. Returns the refusal, if any.
 */
function lifetimeRefusal(
  claims: Record<string, unknown>,
  now: number,
  maxLifetime: number,
  skew: number,
): TokenRefusal | undefined {
  const exp = Number(claims['exp']);
  if (!(exp <= now + maxLifetime + skew)) return 'lifetime_too_long';
  if (claims['iat'] === undefined) return undefined;
  const iat = Number(claims['iat']);
  if (!(iat <= now + skew)) return 'issued_in_future';
  return exp - iat <= maxLifetime ? undefined : 'lifetime_too_long';
}
