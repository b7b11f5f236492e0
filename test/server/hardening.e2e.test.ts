import { afterEach, describe, expect, it } from 'vitest';
import type { LedgerOptions } from '../../src/server/ledger-options.js';
import { startTestServer, tempDataDir, type TestServer } from './harness.js';

/** A clock that stands still until a test moves it: a bucket refills only when the test says a second has passed. */
function stoppedClock() {
  let now = Date.now();
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

/** The transport's settings, each against a real server started with it. */
describe('hardening settings', () => {
  const started: Array<{ server: TestServer; remove(): void }> = [];
  async function serve(env: Record<string, string>, options: LedgerOptions = {}): Promise<TestServer> {
    const data = tempDataDir();
    const server = await startTestServer(data.dir, env, options);
    started.push({ server, remove: data.remove });
    return server;
  }
  afterEach(async () => {
    for (const { server, remove } of started.splice(0)) {
      await server.close();
      remove();
    }
  });

  describe('rate limit', () => {
    it('a principal over its burst gets 429 RATE_LIMITED with Retry-After, another principal does not; health checks are not limited', async () => {
      // On the wall clock, a loaded machine slower than a request every 300 ms would refill the bucket mid-test.
      const clock = stoppedClock();
      const server = await serve({ RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '3' }, { clock });
      // counted by its principal from the first request: its token is verified before the limit
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await server.gql('{ __typename }')).status);
      expect(statuses).toEqual([200, 200, 200]);
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${await server.token()}` };
      const refused = await server.http('/graphql', { method: 'POST', headers, body: '{"query":"{ __typename }"}' });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toEqual({
        errors: [{ message: 'Too many requests: retry in 1 s', extensions: { code: 'RATE_LIMITED' } }],
      });
      expect((await server.gql('{ __typename }', {}, { role: 'operator' })).status).toBe(200);
      expect((await server.http('/healthz')).status).toBe(200);
      clock.advance(999);
      expect((await server.gql('{ __typename }')).status).toBe(429);
      clock.advance(1);
      expect((await server.gql('{ __typename }')).status).toBe(200);
    });

    it('RATE_LIMIT_PER_SECOND=0 turns the limit off', async () => {
      const server = await serve({ RATE_LIMIT_PER_SECOND: '0', RATE_LIMIT_BURST: '1' });
      const statuses = await Promise.all(
        Array.from({ length: 5 }, async () => (await server.gql('{ __typename }')).status),
      );
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
    });
  });

  describe('batching', () => {
    it('MAX_BATCH_OPERATIONS allows batches up to that size, each operation taking a rate-limit token', async () => {
      const server = await serve(
        { MAX_BATCH_OPERATIONS: '2', RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '3' },
        { clock: stoppedClock() },
      );
      const authorization = `Bearer ${await server.token()}`;
      const post = (body: unknown) =>
        server.http('/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization },
          body: JSON.stringify(body),
        });
      const two = await post([{ query: '{ __typename }' }, { query: '{ a: __typename }' }]);
      expect(two.status).toBe(200);
      expect(await two.json()).toEqual([{ data: { __typename: 'Query' } }, { data: { a: 'Query' } }]);
      const three = await post([{ query: '{ __typename }' }, { query: '{ __typename }' }, { query: '{ __typename }' }]);
      expect(three.status).toBe(400);
      expect(await three.json()).toMatchObject({
        errors: [{ message: 'A batch may hold at most 2 operations', extensions: { code: 'BATCH_TOO_LARGE' } }],
      });
      // 2 tokens for the batch, 1 for the refused one: the bucket of 3 is empty.
      expect((await post({ query: '{ __typename }' })).status).toBe(429);
    });
  });

  describe('CORS', () => {
    const portal = 'https://portal.example.com';
    const preflight = (server: TestServer, origin: string) =>
      server.http('/graphql', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });

    it('a configured origin passes the preflight and may read answers', async () => {
      const server = await serve({ CORS_ORIGINS: `${portal}, http://localhost:3000` });
      const answer = await preflight(server, portal);
      expect(answer.status).toBe(204);
      expect(answer.headers.get('access-control-allow-origin')).toBe(portal);
      expect(answer.headers.get('access-control-allow-methods')).toContain('POST');
      expect(answer.headers.get('access-control-allow-headers')).toContain('authorization');
      const post = await server.http('/graphql', {
        method: 'POST',
        headers: { origin: portal, 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
      });
      expect(post.headers.get('access-control-allow-origin')).toBe(portal);
      expect(post.headers.get('vary')).toContain('Origin');
    });

    it('any other origin is refused at the preflight and gets no CORS headers', async () => {
      const server = await serve({ CORS_ORIGINS: portal });
      const answer = await preflight(server, 'https://evil.example');
      expect(answer.status).toBe(403);
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      expect(await answer.json()).toMatchObject({ errors: [{ extensions: { code: 'CORS_ORIGIN_REFUSED' } }] });
      const post = await server.http('/graphql', {
        method: 'POST',
        headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
      });
      expect(post.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('with no origins configured, no origin passes', async () => {
      const server = await serve({});
      expect((await preflight(server, portal)).status).toBe(403);
    });
  });

  describe('production', () => {
    it('NODE_ENV=production refuses introspection and serves no IDE', async () => {
      const server = await serve({ NODE_ENV: 'production' });
      const res = await server.gql('{ __schema { queryType { name } } }');
      expect(res.status).toBe(400);
      expect(res.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/introspection is not allowed/),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      });
      const page = await server.http('/graphql', { headers: { accept: 'text/html' } });
      expect(page.headers.get('content-type')).not.toContain('text/html');
      expect((await server.http('/graphiql/assets/graphiql.min.js')).status).toBe(404);
      expect((await server.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
    });
  });
});
