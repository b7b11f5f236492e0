import { describe, expect, it } from 'vitest';
import { people, runScenario, shownValues, valueParts } from './privacy-scenario.js';
import { aPublisher, postGraphql, REGISTER, suiteServer, withTestServer, type TestServer } from './harness.js';

const ERASE = `mutation ($input: ErasePersonalDataInput!) { erasePersonalData(input: $input) { erasedCount position } }`;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The value of one sample line of the metrics text (0 when absent). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Every log line the server wrote, parsed. */
const logLines = (server: TestServer) => server.logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe('/metrics', () => {
  const server = suiteServer({ METRICS: 'true' });

  it('after a scenario: requests by root field and outcome, latency, appends, erasures, projection lag, token refusals; nothing personal, no ids', async () => {
    const scenario = await runScenario(server());
    const erased = await server().gql(ERASE, { input: { publisherId: scenario.publisherId, target: 'CONTACT' } });
    expect(erased.errors).toBeUndefined();
    const missing = await server().http('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ me { id } }"}',
    });
    expect(missing.status).toBe(401);
    const forged = await server().http('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not.a.token' },
      body: '{"query":"{ me { id } }"}',
    });
    expect(forged.status).toBe(401);

    const response = await server().http('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(
      sample(text, 'privacy_ledger_requests_total{operation="registerPublisher",code="OK"}'),
    ).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'privacy_ledger_requests_total{operation="erasePersonalData",code="OK"}')).toBe(1);
    expect(
      sample(text, 'privacy_ledger_requests_total{operation="updatePublisherContact",code="BAD_USER_INPUT"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'privacy_ledger_requests_total{operation="none",code="UNAUTHENTICATED"}')).toBe(2);
    expect(
      sample(text, 'privacy_ledger_request_duration_seconds_count{operation="registerPublisher"}'),
    ).toBeGreaterThanOrEqual(3);
    expect(
      sample(text, 'privacy_ledger_request_duration_seconds_bucket{le="+Inf",operation="registerPublisher"}'),
    ).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'privacy_ledger_events_appended_total{type="PublisherRegistered"}')).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'privacy_ledger_erasures_total')).toBe(1);
    expect(sample(text, 'privacy_ledger_token_refusals_total{reason="missing"}')).toBe(1);
    expect(sample(text, 'privacy_ledger_token_refusals_total{reason="malformed"}')).toBe(1);
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(text).toContain('nodejs_eventloop_lag_p99_seconds');
    for (const projection of server().ledger.runner.names)
      expect(text).toContain(`privacy_ledger_projection_lag{projection="${projection}"}`);

    // Nothing a request carried: no personal value or part of one, no id of any kind.
    const searched = [
      ...shownValues(),
      ...valueParts(),
      people.aad.objectId,
      scenario.publisherId,
      scenario.offerId,
    ].map((v) => v.toLowerCase());
    expect(searched.filter((value) => text.toLowerCase().includes(value))).toEqual([]);
    expect(text).not.toMatch(UUID);
  }, 60_000);

  it('a refusal by the rate limit is counted', () =>
    withTestServer({ METRICS: 'true', RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '1' }, async (limited) => {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await limited.gql('{ me { id } }')).status);
      expect(statuses).toContain(429);
      const text = await (await limited.http('/metrics')).text();
      expect(sample(text, 'privacy_ledger_rate_limited_total')).toBe(statuses.filter((s) => s === 429).length);
      expect(sample(text, 'privacy_ledger_requests_total{operation="none",code="RATE_LIMITED"}')).toBe(
        statuses.filter((s) => s === 429).length,
      );
    }));

  it('is not served unless METRICS=true', () =>
    withTestServer({}, async (off) => {
      const response = await off.http('/metrics');
      expect(response.status).toBe(404);
    }));
});

describe('request ids and the request log', () => {
  const server = suiteServer();

  it("an x-request-id given is echoed and carried by the request's info line; one info line per request, without variables", async () => {
    const input = aPublisher();
    const res = await fetch(server().url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': 'portal-7f2.call:42',
        authorization: `Bearer ${await server().token()}`,
      },
      body: JSON.stringify({ query: REGISTER, variables: { input } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('portal-7f2.call:42');
    const mine = logLines(server()).filter((line) => line['requestId'] === 'portal-7f2.call:42');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      level: 30,
      msg: 'request',
      operation: 'registerPublisher',
      code: 'OK',
      status: 200,
    });
    expect(typeof mine[0]!['ms']).toBe('number');
    const line = JSON.stringify(mine[0]);
    for (const value of [input.companyName, input.registrationCode, input.contact.name, input.contact.email])
      expect(line).not.toContain(value);
  });

  it('without one, or with one too long or with other characters, a fresh id is made, echoed and logged', async () => {
    const ids: string[] = [];
    for (const given of [undefined, 'x'.repeat(129), 'has space', 'ünïcode']) {
      const res = await fetch(server().url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await server().token()}`,
          ...(given ? { 'x-request-id': encodeURI(given) === given ? given : encodeURIComponent(given) } : {}),
        },
        body: JSON.stringify({ query: '{ me { id } }' }),
      });
      const id = res.headers.get('x-request-id')!;
      expect(id).toMatch(UUID);
      ids.push(id);
      expect(logLines(server()).filter((line) => line['requestId'] === id)).toMatchObject([
        { msg: 'request', operation: 'me', code: 'OK' },
      ]);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a refused request is logged at info with its code; the events of a mutation carry the request id', async () => {
    const refused = await fetch(server().url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'no-token-1' },
      body: '{"query":"{ me { id } }"}',
    });
    expect(refused.headers.get('x-request-id')).toBe('no-token-1');
    expect(logLines(server()).filter((line) => line['requestId'] === 'no-token-1')).toMatchObject([
      { level: 30, msg: 'token refused', reason: 'missing' },
      { level: 30, code: 'UNAUTHENTICATED', status: 401 },
    ]);

    const registered = await server().gql(REGISTER, { input: aPublisher() }, undefined, {
      'x-request-id': 'register-2',
    });
    expect(registered.errors).toBeUndefined();
    const [event] = await server().ledger.events.readStream(
      `publisher-${registered.data!['registerPublisher'].publisher.id}`,
    );
    expect(event?.metadata.requestId).toBe('register-2');
  });

  it('an internal error is logged with the request id of the request that met it', async () => {
    const analytics = server().ledger.services.analytics;
    const publishersByStatus = analytics.publishersByStatus.bind(analytics);
    // A fault the code does not expect (not a store: the store stays real).
    analytics.publishersByStatus = () => Promise.reject(new RangeError('an unexpected fault'));
    try {
      const res = await server().gql(
        '{ analytics { publishersByStatus { status count } } }',
        {},
        { role: 'analyst' },
        { 'x-request-id': 'faulty-3' },
      );
      expect(res.errors).toMatchObject([{ extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
    } finally {
      analytics.publishersByStatus = publishersByStatus;
    }
    await new Promise((resolve) => setImmediate(resolve));
    const lines = logLines(server()).filter((line) => line['requestId'] === 'faulty-3');
    expect(lines).toMatchObject([
      { level: 50, msg: 'internal error', error: 'RangeError: an unexpected fault' },
      { level: 30, msg: 'request', operation: 'analytics', code: 'INTERNAL_SERVER_ERROR' },
    ]);
    expect(
      logLines(server()).filter((line) => line['msg'] === 'internal error' && line['requestId'] === undefined),
    ).toEqual([]);
  });

  it('probes are not logged at info', async () => {
    const before = logLines(server()).length;
    await server().http('/healthz');
    await server().http('/readyz');
    expect(
      logLines(server())
        .slice(before)
        .filter((line) => (line['level'] as number) >= 30),
    ).toEqual([]);
  });
});

describe('/readyz', () => {
  // On the service's own thread: a stopped projection thread reports no checkpoints.
  it('names the projections that are behind, with their state and lag', () =>
    withTestServer({ PROJECTION_THREAD: 'false' }, async (server) => {
      const ready = await server.http('/readyz');
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', behind: [] });

      await server.ledger.runner.stop();
      // Not through gql, which would wait for the stopped projections.
      await postGraphql(
        server.url,
        REGISTER,
        { input: aPublisher() },
        { authorization: `Bearer ${await server.token()}` },
      );
      const behind = await server.http('/readyz');
      expect(behind.status).toBe(503);
      const body = (await behind.json()) as {
        status: string;
        behind: Array<{ projection: string; state: string; lag: number }>;
      };
      expect(body.status).toBe('starting');
      expect(body.behind.map((p) => p.projection).sort()).toEqual([...server.ledger.runner.names].sort());
      for (const projection of body.behind)
        expect(projection).toMatchObject({ state: 'stopped', lag: expect.any(Number) });
      expect(Math.max(...body.behind.map((p) => p.lag))).toBeGreaterThan(0);
    }));
});
