import { describe, expect, it } from 'vitest';
import { aPublisher, PUBLISHER, REGISTER, suiteServer } from './harness.js';

/**
 * Requests an attacker (or a broken client) sends, over real HTTP: each is
 * refused with a clear message and a stable code, never a stack or an
 * internal message, and the server keeps serving ordinary requests.
 */
describe('hostile requests', () => {
  const server = suiteServer();

  /**
   * POSTs a raw body as a signed-in caller (an anonymous one is refused with
   * 401 before anything is parsed) and returns the status and the parsed
   * answer, checking it reveals no internals.
   */
  async function send(
    body: string | Uint8Array,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ) {
    const authorization = `Bearer ${await server().token({ role: 'auditor' })}`; // reads any publisher: these tests are about limits
    const response = await server().http('/graphql', { method: 'POST', headers: { authorization, ...headers }, body });
    const text = await response.text();
    expect(text).not.toMatch(/stack|\bat .+:\d+:\d+|node_modules|\/src\//i);
    return {
      status: response.status,
      errors: (JSON.parse(text) as { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> })
        .errors,
    };
  }
  const query = (text: string, variables: Record<string, unknown> = {}) =>
    send(JSON.stringify({ query: text, variables }));

  it('deep nesting is QUERY_TOO_DEEP', async () => {
    const deep = `{ __schema { types { fields { type ${'{ ofType '.repeat(20)}{ name }${' }'.repeat(20)} } } } }`;
    const res = await query(deep);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/depth \d+ exceeds the limit of 15/),
      extensions: { code: 'QUERY_TOO_DEEP' },
    });
  });

  it('deep nesting hidden in nested fragments is QUERY_TOO_DEEP too', async () => {
    const fragments = Array.from(
      { length: 20 },
      (_, i) => `fragment T${i} on __Type { ofType { ${i < 19 ? `...T${i + 1}` : 'name'} } }`,
    ).join('\n');
    const res = await query(`{ __schema { types { ...T0 } } }\n${fragments}`);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'QUERY_TOO_DEEP' });
  });

  it('an alias flood larger than the token limit is refused while parsing', async () => {
    const flood = `{ ${Array.from({ length: 5000 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const res = await query(flood);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/more th.. 2000 tokens/),
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
  });

  it('an alias flood of pages within the token limit is QUERY_TOO_COSTLY', async () => {
    const aliases = Array.from(
      { length: 40 },
      (_, i) => `p${i}: offers(publisherId: $id, first: 100) { ...Page }`,
    ).join(' ');
    const res = await query(
      `query Flood($id: ID!) { ${aliases} } fragment Page on OfferConnection { edges { node { id name } } }`,
      {
        id: '01890000-0000-7000-8000-000000000000',
      },
    );
    expect(res.status).toBe(400);
    expect(res.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/cost \d+ exceeds the limit of 5000/),
      extensions: { code: 'QUERY_TOO_COSTLY' },
    });
  });

  it('a fragment cycle is GRAPHQL_VALIDATION_FAILED', async () => {
    const res = await query('{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }');
    expect(res.status).toBe(400);
    expect(res.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/Cannot spread fragment "A" within itself/),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });

  it('a fragment bomb (each fragment spreading the previous twice) is QUERY_TOO_COSTLY, and answered quickly', async () => {
    const fragments = Array.from({ length: 30 }, (_, i) =>
      i === 0 ? 'fragment F0 on Query { __typename }' : `fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`,
    );
    const started = Date.now();
    const res = await query(`{ ...F29 }\n${fragments.join('\n')}`);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'QUERY_TOO_COSTLY' });
    expect(Date.now() - started).toBeLessThan(5_000); // 2^29 fields if walked naively
  });

  it('a huge page (first: 1000000) is BAD_USER_INPUT on first, inline or as a variable', async () => {
    const id = '01890000-0000-7000-8000-000000000000';
    const inline = await query(`{ offers(publisherId: "${id}", first: 1000000) { edges { node { id } } } }`);
    expect(inline.errors?.[0]).toMatchObject({
      message: 'first: must be from 1 to 100',
      extensions: { code: 'BAD_USER_INPUT', field: 'first' },
    });
    const variable = await query(
      'query($id: ID!, $n: Int!) { privacyRequests(publisherId: $id, first: $n) { totalCount } }',
      { id, n: 1_000_000 },
    );
    expect(variable.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('a 10 MB body is PAYLOAD_TOO_LARGE (413)', async () => {
    const body = JSON.stringify({ query: `{ __typename }`, variables: { padding: 'x'.repeat(10 * 1024 * 1024) } });
    const res = await send(body);
    expect(res.status).toBe(413);
    expect(res.errors?.[0]).toMatchObject({
      message: 'Request body larger than 1048576 bytes',
      extensions: { code: 'PAYLOAD_TOO_LARGE' },
    });
  });

  it('malformed JSON is BAD_REQUEST (400)', async () => {
    const res = await send('{"query": "{ __typename }"');
    expect(res).toMatchObject({
      status: 400,
      errors: [{ message: 'Malformed JSON body', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/graphql',
  ])('a %s body is UNSUPPORTED_MEDIA_TYPE (415), which also keeps HTML forms out', async (type) => {
    const res = await send('query={__typename}', { 'content-type': type });
    expect(res.status).toBe(415);
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('a batched (JSON array) request is BATCHING_DISABLED (400)', async () => {
    const res = await send(JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]));
    expect(res.status).toBe(400);
    expect(res.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/send one operation per request/),
      extensions: { code: 'BATCHING_DISABLED' },
    });
  });

  it('JSON that is not a GraphQL request is BAD_REQUEST', async () => {
    for (const body of ['"a string"', '{}', '{"query": 42}', '{"query": "{ __typename }", "variables": "x"}']) {
      const res = await send(body);
      expect(res.status, body).toBe(400);
      expect(res.errors?.[0]?.extensions, body).toEqual({ code: 'BAD_REQUEST' });
    }
  });

  it('a GET without a preflight-forcing header is blocked as cross-site request forgery', async () => {
    const response = await server().http(`/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { authorization: `Bearer ${await server().token()}` },
    });
    const body = (await response.json()) as { errors: Array<{ message: string; extensions: unknown }> };
    expect(response.status).toBe(400);
    expect(body.errors[0]).toMatchObject({
      message: expect.stringMatching(/Cross-Site Request Forgery/),
      extensions: { code: 'BAD_REQUEST' },
    });
  });

  it('after all of that the server still serves ordinary requests, and logged no internal error', async () => {
    const registered = await server().gql(REGISTER, { input: aPublisher() });
    expect(registered.errors).toBeUndefined();
    const { id } = registered.data!['registerPublisher'].publisher;
    const read = await server().gql(PUBLISHER, { id, minPosition: registered.data!['registerPublisher'].position });
    expect(read.data?.['publisher']).toMatchObject({ id, companyName: 'Contoso China' });
    expect(server().logs.lines.filter((line) => /internal error|request failed/.test(line))).toEqual([]);
  });
});
