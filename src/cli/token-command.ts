import { loadSigningKey } from '../auth/signing-key.js';
import { mintToken, parseTtl, TOKEN_ROLES, type TokenRequest } from '../auth/token-issuer.js';
import { requireId } from '../events/publisher/publisher.validation.js';
import type { Config } from '../server/config.js';
import { UsageError } from './audit-commands.js';

/** `privacy-ledger token`: mints a token with the embedded signing key (for development and operators; Entra ID issues them otherwise). */
export async function tokenCommand(config: Config, args: readonly string[]): Promise<number> {
  if (config.authJwksUrl) {
    throw new UsageError('AUTH_JWKS_URL is set: tokens come from Entra ID, not from this command.');
  }
  const options = tokenOptions(args);
  const role = options.get('--role');
  if (!role) throw new UsageError(`token needs --role (${TOKEN_ROLES.join(', ')}).`);
  if (!(TOKEN_ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${TOKEN_ROLES.join(', ')}.`);
  const oid = options.get('--oid');
  const ttl = options.get('--ttl');
  const upn = options.get('--upn');
  const name = options.get('--name');
  const key = await loadSigningKey(config.dataDir);
  const jwt = await mintToken(key, config.authIssuer, config.authAudience, {
    role: role as TokenRequest['role'],
    ...(oid ? { oid: requireId('--oid', oid) } : {}),
    ...(ttl ? { ttlSeconds: parseTtl(ttl) } : {}),
    ...(upn ? { userPrincipalName: upn } : {}),
    ...(name ? { displayName: name } : {}),
  });
  process.stdout.write(`${jwt}\n`);
  return 0;
}

/** `--name value` / `--name=value` pairs of the token command. */
function tokenOptions(args: readonly string[]): Map<string, string> {
  const known = ['--role', '--oid', '--ttl', '--upn', '--name'];
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!known.includes(flag!)) throw new UsageError(`unknown option "${flag}" for token; known: ${known.join(', ')}.`);
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`${flag} needs a value.`);
    options.set(flag!, value);
  }
  return options;
}
