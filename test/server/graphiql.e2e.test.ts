import http from 'node:http';
import { parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_TABS } from '../../src/server/graphiql-examples.js';
import { REGISTER, aPublisher, suiteServer, withTestServer, type TestServer } from './harness.js';

/** POST /graphiql/sign-in as the IDE sends it, with a Host header of the test's choosing (fetch may not set one). */
function signIn(
  server: TestServer,
  role: string,
  headers: Record<string, string> = { 'x-graphiql-sign-in': '1' },
): Promise<{ status: number; body: any }> {
  const url = new URL(`/graphiql/sign-in?role=${encodeURIComponent(role)}`, server.url);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The IDE a browser gets at GET /graphql. That it renders and runs queries
 * is tested in headless Chromium (./graphiql-browser.e2e.test.ts); this
 * suite checks what makes it work offline (every asset the page references
 * is served by this server, and the page names no other host), the local
 * sign-in's refusals, and that each example runs for its role.
 */
describe('GraphiQL', () => {
  const server = suiteServer();

  const openPage = () => server().http('/graphql', { headers: { accept: 'text/html,application/xhtml+xml' } });

  it('a browser opening /graphql gets the IDE page, under a policy that allows only this origin', async () => {
    const page = await openPage();
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toMatch(
      /default-src 'none'.*script-src 'self'.*connect-src 'self'/,
    );
    const html = await page.text();
    expect(html).toContain('<div id="graphiql">');
    expect(html).not.toMatch(/(https?:)?\/\/(?!localhost)[a-z0-9.-]+\.[a-z]{2,}/i);
  });

  it('every script and stylesheet the page references is served from here', async () => {
    const html = await (await openPage()).text();
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(references.length).toBeGreaterThanOrEqual(5);
    for (const reference of references) {
      expect(reference, reference).toMatch(/^\/graphiql\/assets\//);
      const asset = await server().http(reference);
      expect(asset.status, reference).toBe(200);
      expect(asset.headers.get('content-type'), reference).toMatch(
        reference.endsWith('.css') ? /^text\/css/ : /^text\/javascript/,
      );
      const body = await asset.text();
      expect(body.length, reference).toBeGreaterThan(
        reference.endsWith('start.js') || reference.endsWith('page.css') ? 20 : 10_000,
      );
    }
  });

  it('the page renders GraphiQL with React from the same server', async () => {
    const start = await (await server().http('/graphiql/assets/start.js')).text();
    expect(start).toContain("new URL('/graphql', window.location.href)");
    expect(await (await server().http('/graphiql/assets/graphiql.min.js')).text()).toContain('window.GraphiQL');
  });

  it('API clients asking for JSON still get GraphQL, and unknown assets are 404', async () => {
    const json = await server().http(`/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: {
        accept: 'text/html, application/json',
        'apollo-require-preflight': 'true',
        authorization: `Bearer ${await server().token()}`,
      },
    });
    expect(await json.json()).toEqual({ data: { __typename: 'Query' } });
    expect((await server().http('/graphiql/assets/..%2F..%2Fpackage.json')).status).toBe(404);
    expect((await server().http('/graphiql/assets/graphiql.js.map')).status).toBe(404);
  });

  it('GRAPHIQL=false serves no IDE', () =>
    withTestServer({ GRAPHIQL: 'false' }, async (off) => {
      const page = await off.http('/graphql', { headers: { accept: 'text/html' } });
      expect(page.headers.get('content-type')).not.toContain('text/html');
      expect((await off.http('/graphiql/assets/start.js')).status).toBe(404);
    }));

  it('signing in locally gives a short-lived token for the chosen role, that the API accepts', async () => {
    const { status, body } = await signIn(server(), 'auditor');
    expect(status).toBe(200);
    expect(body).toMatchObject({ role: 'auditor', expiresInSeconds: 3600 });
    const me = await server().http('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${body.token}` },
      body: JSON.stringify({ query: '{ me { roles } }' }),
    });
    expect(await me.json()).toEqual({ data: { me: { roles: ['auditor'] } } });
    expect(await signIn(server(), 'root')).toMatchObject({
      status: 400,
      body: { errors: [{ extensions: { code: 'BAD_USER_INPUT', field: 'role' } }] },
    });
  });

  it('local sign-in is refused without the header no cross-site form can send, and for a Host that is not this machine', async () => {
    expect((await signIn(server(), 'operator', {})).status).toBe(403);
    const rebound = await signIn(server(), 'operator', { 'x-graphiql-sign-in': '1', host: 'attacker.example' });
    expect(rebound).toMatchObject({
      status: 403,
      body: { errors: [{ message: expect.stringMatching(/this machine/), extensions: { code: 'FORBIDDEN' } }] },
    });
    expect(rebound.body.token).toBeUndefined();
  });

  it('local sign-in is refused under NODE_ENV=production and with Entra ID, and the page offers it in neither', async () => {
    const before = process.env['NODE_ENV'];
    process.env['NODE_ENV'] = 'production';
    try {
      await withTestServer({ GRAPHIQL: 'true' }, async (production) => {
        expect(await signIn(production, 'operator')).toMatchObject({
          status: 403,
          body: { errors: [{ message: expect.stringMatching(/NODE_ENV=production/) }] },
        });
        expect(await (await production.http('/graphql', { headers: { accept: 'text/html' } })).text()).toContain(
          'data-local-sign-in="false"',
        );
      });
    } finally {
      if (before === undefined) delete process.env['NODE_ENV'];
      else process.env['NODE_ENV'] = before;
    }
    await withTestServer({ AUTH_JWKS_URL: 'http://localhost:9/keys' }, async (entra) => {
      expect(await signIn(entra, 'operator')).toMatchObject({
        status: 403,
        body: { errors: [{ message: expect.stringMatching(/Entra ID/) }] },
      });
      expect(await (await entra.http('/graphql', { headers: { accept: 'text/html' } })).text()).toContain(
        'data-local-sign-in="false"',
      );
    });
    expect(await (await server().http('/graphql', { headers: { accept: 'text/html' } })).text()).toContain(
      'data-local-sign-in="true"',
    );
  });

  it('every example operation runs for the role its tab names, without an error', async () => {
    const registered = await server().gql(REGISTER, { input: aPublisher() });
    const id = registered.data!['registerPublisher'].publisher.id as string;
    expect(EXAMPLE_TABS.map((tab) => tab.role)).toEqual(['member', 'operator', 'auditor', 'analyst']);
    for (const tab of EXAMPLE_TABS) {
      const variables = JSON.parse((tab.variables ?? '{}').replaceAll('<publisher id>', id)) as Record<string, unknown>;
      const operations = parse(tab.query).definitions.filter(
        (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
      );
      expect(operations.length).toBeGreaterThanOrEqual(1);
      for (const operation of operations) {
        const name = operation.name!.value;
        const used = Object.fromEntries(
          Object.entries(variables).filter(([key]) =>
            operation.variableDefinitions?.some((v) => v.variable.name.value === key),
          ),
        );
        const res = await server().http('/graphql', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${await server().token({ role: tab.role })}`,
          },
          body: JSON.stringify({ query: tab.query, operationName: name, variables: used }),
        });
        const body = (await res.json()) as { errors?: unknown[] };
        expect(body.errors, `${tab.role}: ${name}`).toBeUndefined();
      }
    }
  });
});
