import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { requestClient } from '../../src/server/request-client.js';

/** The two things requestClient reads of a request: its headers and its socket's peer. */
const request = (headers: Record<string, string | string[]>, remoteAddress = '10.1.2.3') =>
  ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;

describe('where a request came from', () => {
  it('is the socket peer unless the proxy is trusted', () => {
    expect(requestClient(request({ 'x-forwarded-for': '203.0.113.7' }), false)).toEqual({ ip: '10.1.2.3' });
  });

  it('behind a trusted proxy is the first X-Forwarded-For address, IPv4 or IPv6', () => {
    expect(requestClient(request({ 'x-forwarded-for': ' 203.0.113.7 , 10.0.0.1' }), true).ip).toBe('203.0.113.7');
    expect(requestClient(request({ 'x-forwarded-for': '2001:db8::1' }), true).ip).toBe('2001:db8::1');
  });

  it('falls back to the socket when the forwarded header is missing or not an address', () => {
    expect(requestClient(request({}), true).ip).toBe('10.1.2.3');
    expect(requestClient(request({ 'x-forwarded-for': '<script>, 1.2.3.4' }), true).ip).toBe('10.1.2.3');
  });

  it('keeps at most 512 characters of the user agent', () => {
    expect(requestClient(request({ 'user-agent': 'x'.repeat(2000) }), false).userAgent).toHaveLength(512);
  });
});
