import http from 'node:http';
import type { Socket } from 'node:net';
import { errorBody, statusOf } from '../error-codes.js';

/** How long a client may take, and how many connections one address may hold (src/server/settings.ts). */
export interface ConnectionLimits {
  /** the whole request, headers and body, must arrive within this (408 and closed otherwise) */
  requestTimeoutMs: number;
  /** the headers must arrive within this */
  headersTimeoutMs: number;
  /** an idle keep-alive connection is closed after this */
  keepAliveTimeoutMs: number;
  /** open connections per client address; 0: no cap */
  maxConnectionsPerAddress: number;
}

/**
 * node:http's own timeouts, checked every second (its default checks every
 * 30 s, which would let a client dribbling 1 byte/s hold a connection that
 * much longer than the limit).
 */
export function serverOptions(limits: ConnectionLimits): http.ServerOptions {
  return {
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
  };
}

const REFUSED_BODY = JSON.stringify(errorBody('RATE_LIMITED', 'Too many connections from this address'));

const REFUSED = [
  `HTTP/1.1 ${statusOf('RATE_LIMITED')} ${http.STATUS_CODES[statusOf('RATE_LIMITED')]}`,
  'content-type: application/json; charset=utf-8',
  `content-length: ${Buffer.byteLength(REFUSED_BODY)}`,
  'retry-after: 1',
  'connection: close',
  '',
  REFUSED_BODY,
].join('\r\n');

/**
 * At most `max` open connections per peer address: one more is answered 429
 * and closed before a byte of it is read, so slow or idle connections from
 * one address cannot hold every socket. Keyed by the socket's address (a
 * proxy's, behind one: set the cap above what it pools, or 0).
 */
export function capConnectionsPerAddress(server: http.Server, max: number): void {
  if (max <= 0) return;
  const open = new Map<string, number>();
  // Before node:http's own listener: a refused socket never gets a request parser.
  server.prependListener('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      socket.end(REFUSED);
      socket.destroySoon();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
