import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { suiteServer, type TestServer } from './harness.js';

/** A raw connection to the server, recording what it receives and when it is closed. */
function connect(server: TestServer): Promise<{ socket: net.Socket; received: () => string; closed: Promise<number> }> {
  const { port } = new URL(server.url);
  const started = Date.now();
  const socket = net.connect(Number(port), '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString('utf8')));
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - started)));
  return new Promise((resolve) => socket.on('connect', () => resolve({ socket, received: () => received, closed })));
}

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), ms))]);

describe('slow clients are cut (REQUEST_TIMEOUT_MS=2000, HEADERS_TIMEOUT_MS=1000)', () => {
  const server = suiteServer({ NODE_ENV: 'production', REQUEST_TIMEOUT_MS: '2000', HEADERS_TIMEOUT_MS: '1000' });

  it('a body sent at 1 byte/s with a valid token is answered 408 and closed, and the server still serves', async () => {
    const client = await connect(server());
    const body = JSON.stringify({ query: '{ me { id } }' });
    client.socket.write(
      `POST /graphql HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\nauthorization: Bearer ${await server().token()}\r\ncontent-length: ${body.length}\r\n\r\n`,
    );
    let sent = 0;
    const dribble = setInterval(() => !client.socket.destroyed && client.socket.write(body[sent++]!), 1_000);
    try {
      const closedAfter = await within(client.closed, 6_000);
      expect(closedAfter).not.toBe('still open');
      expect(client.received()).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      clearInterval(dribble);
      client.socket.destroy();
    }
    expect((await server().gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('headers sent at 1 byte/s are cut by the headers timeout', async () => {
    const client = await connect(server());
    const head = 'POST /graphql HTTP/1.1\r\nhost: localhost\r\n';
    let sent = 0;
    const dribble = setInterval(() => !client.socket.destroyed && client.socket.write(head[sent++]!), 1_000);
    try {
      expect(await within(client.closed, 5_000)).not.toBe('still open');
    } finally {
      clearInterval(dribble);
      client.socket.destroy();
    }
  });
});

describe('connections per address (MAX_CONNECTIONS_PER_ADDRESS=3)', () => {
  const server = suiteServer({ NODE_ENV: 'production', MAX_CONNECTIONS_PER_ADDRESS: '3' });

  it('a fourth open connection from one address is answered 429 and closed; once one closes, another is served', async () => {
    const held = await Promise.all([connect(server()), connect(server()), connect(server())]);
    const fourth = await connect(server());
    expect(await within(fourth.closed, 2_000)).not.toBe('still open');
    expect(fourth.received()).toMatch(/^HTTP\/1\.1 429/);
    expect(fourth.received()).toContain('"code":"RATE_LIMITED"');
    held[0]!.socket.destroy();
    await held[0]!.closed;
    // fetch keeps a connection of its own open: the limit now has room for exactly it
    expect((await server().gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
    for (const { socket } of held) socket.destroy();
  });
});
