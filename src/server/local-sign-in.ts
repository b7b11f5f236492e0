import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';
import { errorBody, statusOf } from '../error-codes.js';
import { loadSigningKey } from '../auth/signing-key.js';
import { mintToken, TOKEN_ROLES, type TokenRequest } from '../auth/token-issuer.js';
import type { Config } from './config.js';

/** A token from the IDE's sign-in lasts an hour: long enough for a session, short enough to be thrown away. */
const TTL_SECONDS = 3600;

/** One fixed person per role, so that signing in again as `member` finds the publishers registered before. */
const LOCAL_OIDS: Record<TokenRequest['role'], string> = {
  member: '00000000-0000-4000-8000-00000000000a',
  operator: '00000000-0000-4000-8000-00000000000b',
  auditor: '00000000-0000-4000-8000-00000000000c',
  analyst: '00000000-0000-4000-8000-00000000000d',
};

const LOOPBACK_ADDRESSES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface LocalSignIn {
  /** why this request may not sign in, or undefined when it may */
  refusal(req: IncomingMessage): string | undefined;
  /** answers POST /graphiql/sign-in?role=…: a token, or 403 / 400 with one sentence */
  answer(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/**
 * The IDE's "sign in locally": mints a short-lived token for a chosen role
 * with the data directory's key, as `privacy-ledger token` does, so that a
 * newcomer needs no terminal. Only where that key is what the server trusts
 * (not with Entra ID), never under NODE_ENV=production, and only for a
 * browser on this machine: the connection and the Host header must both be
 * loopback (a DNS-rebound page names another host). The request must carry
 * a header no cross-site form can send without a preflight this server refuses.
 */
export function localSignIn(
  config: Pick<Config, 'dataDir' | 'authIssuer' | 'authAudience' | 'authJwksUrl'>,
  clock: Clock,
  env = process.env,
): LocalSignIn {
  const off =
    env['NODE_ENV'] === 'production'
      ? 'Local sign-in is off under NODE_ENV=production: paste a token from your identity provider.'
      : config.authJwksUrl
        ? 'This server accepts Entra ID tokens only: paste one (e.g. az account get-access-token).'
        : undefined;
  const refusal = (req: IncomingMessage): string | undefined => {
    if (off) return off;
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    if (!LOOPBACK_ADDRESSES.has(req.socket.remoteAddress ?? '') || !LOOPBACK_HOSTS.has(host)) {
      return 'Local sign-in answers only a browser on this machine (http://localhost): paste a token instead.';
    }
    return undefined;
  };
  return {
    refusal,
    async answer(req, res) {
      const refused =
        req.headers['x-graphiql-sign-in'] === '1' ? refusal(req) : 'Send the x-graphiql-sign-in: 1 header.';
      if (refused) return send(res, statusOf('FORBIDDEN'), errorBody('FORBIDDEN', refused));
      const role = new URL(req.url ?? '/', 'http://localhost').searchParams.get('role') ?? '';
      if (!(TOKEN_ROLES as readonly string[]).includes(role)) {
        const rule = `must be one of ${TOKEN_ROLES.join(', ')}`;
        return send(
          res,
          statusOf('BAD_USER_INPUT'),
          errorBody('BAD_USER_INPUT', `role: ${rule}`, { field: 'role', rule }),
        );
      }
      const chosen = role as TokenRequest['role'];
      const key = await loadSigningKey(config.dataDir);
      const token = await mintToken(key, config.authIssuer, config.authAudience, {
        role: chosen,
        oid: LOCAL_OIDS[chosen],
        ttlSeconds: TTL_SECONDS,
        now: clock.now(),
      });
      send(res, 200, { token, role: chosen, expiresInSeconds: TTL_SECONDS });
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
