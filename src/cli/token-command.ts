import { loadSigningKey } from '../auth/signing-key.js';
import { DEFAULT_TTL_SECONDS, mintToken, parseTtl, TOKEN_ROLES, type TokenRequest } from '../auth/token-issuer.js';
import { requireId } from '../events/publisher/publisher.validation.js';
import type { Config } from '../server/config.js';
import { UsageError } from './args.js';
import { requireSigningKey } from './data-dir.js';

/** `privacy-ledger token`: mints a token with the embedded signing key (for development and operators; Entra ID issues them otherwise). */
export async function tokenCommand(config: Config, options: ReadonlyMap<string, string>): Promise<number> {
  if (config.authJwksUrl) {
    throw new UsageError('AUTH_JWKS_URL is set: tokens come from Entra ID, not from this command.');
  }
  const role = options.get('--role');
  if (!role) throw new UsageError(`token needs --role (${TOKEN_ROLES.join(', ')}).`);
  if (!(TOKEN_ROLES as readonly string[]).includes(role))
    throw new UsageError(`--role must be one of ${TOKEN_ROLES.join(', ')}.`);
  const oid = options.get('--oid');
  const ttl = options.get('--ttl');
  const upn = options.get('--upn');
  const name = options.get('--name');
  const ttlSeconds = ttl ? parseTtl(ttl) : DEFAULT_TTL_SECONDS;
  if (ttlSeconds > config.authMaxTokenLifetimeSeconds) {
    // The server would refuse the token at its first request: say so now.
    throw new UsageError(
      `${ttl ? `--ttl ${ttl}` : 'the default --ttl 1h'} is longer than AUTH_MAX_TOKEN_LIFETIME_SECONDS (${config.authMaxTokenLifetimeSeconds} s): ask for a shorter --ttl.`,
    );
  }
  const request: TokenRequest = {
    role: role as TokenRequest['role'],
    ...(oid ? { oid: requireId('--oid', oid) } : {}),
    ttlSeconds,
    ...(upn ? { userPrincipalName: upn } : {}),
    ...(name ? { displayName: name } : {}),
  };
  // Only a server's key makes a token the server accepts: never a new one here.
  requireSigningKey(config);
  const jwt = await mintToken(await loadSigningKey(config.dataDir), config.authIssuer, config.authAudience, request);
  process.stdout.write(`${jwt}\n`);
  return 0;
}
