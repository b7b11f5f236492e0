import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { ValidationError } from '../errors.js';
import { APP_ROLES, type AppRole } from './principal.js';
import { SIGNING_ALGORITHM, type SigningKey } from './signing-key.js';

/** What a locally minted token says; `member` means a signed-in user without app roles. */
export interface TokenRequest {
  role: AppRole | 'member';
  /** AAD object id; a fresh one when absent */
  oid?: string;
  userPrincipalName?: string;
  displayName?: string;
  kind?: 'user' | 'service';
  /** lifetime in seconds */
  ttlSeconds?: number;
  /** the instant the token is issued (tests move it) */
  now?: Date;
}

export const TOKEN_ROLES = ['member', ...APP_ROLES] as const;

/**
 * Mints a token with the embedded signing key, shaped like an Entra ID
 * access token (`oid`, `roles`, `upn`, `name`, `idtyp`), for local use and
 * tests. Production tokens come from Entra ID.
 */
export async function mintToken(
  key: SigningKey,
  issuer: string,
  audience: string,
  request: TokenRequest,
): Promise<string> {
  if (!(TOKEN_ROLES as readonly string[]).includes(request.role)) {
    throw new ValidationError('role', `must be one of ${TOKEN_ROLES.join(', ')}`);
  }
  const oid = request.oid ?? randomUUID();
  const issuedAt = Math.floor((request.now ?? new Date()).getTime() / 1000);
  return new SignJWT({
    oid,
    roles: request.role === 'member' ? [] : [request.role],
    upn: request.userPrincipalName ?? `${request.role}.${oid.slice(0, 8)}@example.com`,
    name: request.displayName ?? `Local ${request.role}`,
    ...(request.kind === 'service' ? { idtyp: 'app' } : {}),
  })
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(oid)
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(issuedAt + (request.ttlSeconds ?? DEFAULT_TTL_SECONDS))
    .sign(key.privateKey);
}

/** `30s`, `15m`, `8h`, `7d` or a number of seconds. */
/** A minted token's lifetime when none is asked for: one hour. */
export const DEFAULT_TTL_SECONDS = 3600;

export function parseTtl(text: string): number {
  const match = /^(\d{1,7})([smhd]?)$/.exec(text.trim());
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match?.[2] ?? ''] ?? 1;
  const seconds = match ? Number(match[1]) * unit : NaN;
  if (!(seconds >= 1 && seconds <= 30 * 86400))
    throw new ValidationError('ttl', 'must be 1s to 30d, e.g. 15m, 8h or 7d');
  return seconds;
}
