import { describe, expect, it } from 'vitest';
import { suiteServer, withTestServer } from './harness.js';

/**
 * The IDE a browser gets at GET /graphql. That it renders and runs queries
 * was checked in headless Chromium (README, "GraphiQL"); this suite checks
 * what makes it work offline: every asset the page references is served by
 * this server, and the page names no other host.
 */
describe('GraphiQL', () => {
  const server = suiteServer();

  const openPage = () => server().http('/graphql', { headers: { accept: 'text/html,application/xhtml+xml' } });

  it('a browser opening /graphql gets the IDE page, under a policy that allows only this origin', async () => {
    const page = await openPage();
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'.*script-src 'self'.*connect-src 'self'/);
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
      expect(asset.headers.get('content-type'), reference).toMatch(reference.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      const body = await asset.text();
      expect(body.length, reference).toBeGreaterThan(reference.endsWith('start.js') || reference.endsWith('page.css') ? 20 : 10_000);
    }
  });

  it('the page renders GraphiQL with React from the same server', async () => {
    const start = await (await server().http('/graphiql/assets/start.js')).text();
    expect(start).toContain("new URL('/graphql', window.location.href)");
    expect(await (await server().http('/graphiql/assets/graphiql.min.js')).text()).toContain('window.GraphiQL');
  });

  it('API clients asking for JSON still get GraphQL, and unknown assets are 404', async () => {
    const json = await server().http(`/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'text/html, application/json', 'apollo-require-preflight': 'true', authorization: `Bearer ${await server().token()}` },
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
});
