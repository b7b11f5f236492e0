import { createHash, randomBytes } from 'node:crypto';
import v8 from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setCacheIdleSeconds, CACHE_IDLE_SECONDS } from '../../src/idle-expiry.js';
import { aRegistrationCode, postGraphql, startTestServer, tempDataDir, type TestServer } from './harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** An entry goes between its expiry (1 s here) and about two seconds later (a sweep every quarter of it, the clock read once a second). */
const GONE_AFTER_MS = 3_500;

/** A registration whose contact is written into the query text, as a client that does not use variables sends it. */
const inlineRegistration = (email: string) => /* GraphQL */ `
  mutation {
    registerPublisher(input: {
      companyName: "Contoso China"
      registrationCode: "${aRegistrationCode()}"
      contact: { name: "Li Lei", telephone: "138 0013 8000", email: "${email}" }
    }) { version }
  }`;

/**
 * Whether the text of `parts` is anywhere in this thread's heap (a snapshot
 * holds only what is still reachable). Searched as bytes: the whole text
 * as a string here would be found in the heap itself.
 */
async function inHeap(...parts: string[]): Promise<boolean> {
  const needle = Buffer.concat(parts.map((part) => Buffer.from(part)));
  let tail = Buffer.alloc(0);
  for await (const chunk of v8.getHeapSnapshot()) {
    const window = Buffer.concat([tail, Buffer.from(chunk as Buffer)]);
    if (window.includes(needle)) return true;
    tail = window.subarray(-needle.length);
  }
  return false;
}

describe("Apollo's caches forget query texts left idle", () => {
  const data = tempDataDir();
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(data.dir, { CACHE_IDLE_SECONDS: '1' });
  });
  afterAll(async () => {
    await server.close();
    data.remove();
    setCacheIdleSeconds(CACHE_IDLE_SECONDS);
  });

  it('an email written inline in a mutation is no longer in memory once the query went unused for the idle expiry', async () => {
    // the address is made for the request and kept nowhere here: only what the server holds can keep it in the heap
    const marker = randomBytes(8).toString('hex');
    // sent as a client sends it (the harness's `gql` would match a regular expression on the text, which V8 then keeps)
    const answer = await postGraphql(
      server.url,
      inlineRegistration(`idle-${marker}@contoso.cn`),
      {},
      {
        authorization: `Bearer ${await server.token()}`,
      },
    );
    expect(answer.errors).toBeUndefined();
    await sleep(GONE_AFTER_MS);
    expect(await inHeap('idle-', marker, '@contoso.cn')).toBe(false);
  });

  it('a persisted query text is forgotten once unused for the idle expiry: the client is asked to send it again', async () => {
    const apq = persistedQuery(server, `query { me { publishers { id } } }`);
    expect((await apq.register()).errors).toBeUndefined();
    // known while in use
    expect((await apq.byHash()).errors).toBeUndefined();
    await sleep(GONE_AFTER_MS);
    expect((await apq.byHash()).errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describe("Apollo's caches have a budget", () => {
  const data = tempDataDir();
  let server: TestServer;
  beforeAll(async () => {
    // no idle expiry: only the budget (one entry, as many as operations kept compiled) pushes a text out
    server = await startTestServer(data.dir, { CACHE_IDLE_SECONDS: '0', COMPILED_OPERATION_CACHE_ENTRIES: '1' });
  });
  afterAll(async () => {
    await server.close();
    data.remove();
    setCacheIdleSeconds(CACHE_IDLE_SECONDS);
  });

  it('a persisted query text is pushed out by a newer one once the budget is full', async () => {
    const first = persistedQuery(server, `query { me { publishers { id } } }`);
    const second = persistedQuery(server, `query { me { publishers { id companyName } } }`);
    expect((await first.register()).errors).toBeUndefined();
    expect((await first.byHash()).errors).toBeUndefined();
    expect((await second.register()).errors).toBeUndefined();
    expect((await first.byHash()).errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await second.byHash()).errors).toBeUndefined();
  });
});

/** An automatic persisted query: registered with its text, then sent by its hash alone. */
function persistedQuery(server: TestServer, query: string) {
  const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };
  const send = async (body: Record<string, unknown>) => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await server.token()}` },
      body: JSON.stringify({ ...body, extensions: { persistedQuery } }),
    });
    return (await response.json()) as { errors?: Array<{ extensions?: Record<string, unknown> }> };
  };
  return { register: () => send({ query }), byHash: () => send({}) };
}
