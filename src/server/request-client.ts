import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** Longest user agent kept; real ones are a few hundred characters. */
const MAX_USER_AGENT = 512;

/**
 * Where a request came from, for the audit metadata of the events it causes:
 * the socket's peer address or, when the service runs behind a proxy that
 * says so (`trustProxy`), the first address of X-Forwarded-For (the client as
 * the proxy saw it). A header that is not an IP address is ignored. Both
 * values are personal data: the event codec seals them.
 */
export function requestClient(req: IncomingMessage, trustProxy: boolean): { ip?: string; userAgent?: string } {
  const forwarded = trustProxy ? forwardedFor(req.headers['x-forwarded-for']) : undefined;
  const ip = forwarded ?? req.socket.remoteAddress;
  const agent = req.headers['user-agent'];
  // field by field, not conditional spreads: every mutation asks (its events' sealed client)
  const client: { ip?: string; userAgent?: string } = {};
  if (ip) client.ip = ip;
  if (agent) client.userAgent = agent.slice(0, MAX_USER_AGENT);
  return client;
}

function forwardedFor(header: string | string[] | undefined): string | undefined {
  const first = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim();
  return first && isIP(first) ? first : undefined;
}
