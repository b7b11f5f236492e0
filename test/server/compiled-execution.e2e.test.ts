import { ApolloServer, type GraphQLResponse } from '@apollo/server';
import {
  GraphQLError,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { NotFoundError } from '../../src/errors.js';
import type { RequestContext } from '../../src/resolvers/context.js';
import { LedgerRequestContext } from '../../src/resolvers/request-context.js';
import { buildAppSchema } from '../../src/schema/build-schema.js';
import { CACHE_IDLE_SECONDS, setCacheIdleSeconds } from '../../src/idle-expiry.js';
import { compiledExecution } from '../../src/server/compiled-execution.js';
import { createErrorFormatter } from '../../src/server/format-error.js';
import {
  aPublisher,
  DEFAULT_PRINCIPAL,
  REGISTER,
  startTestServer,
  tempDataDir,
  type TestPrincipal,
  type TestServer,
} from './harness.js';
import { runScenario, type ScenarioResult } from './privacy-scenario.js';
import { introspect, queryEverything } from './schema-walk.js';

/** Two Apollo servers alike but for how operations run: graphql-js's execution, and compiled (src/server/compiled-execution.ts). */
async function executors<Context extends object>(schema: GraphQLSchema) {
  const options = { formatError: createErrorFormatter(() => undefined), includeStacktraceInErrorResponses: false };
  const plugin = compiledExecution(schema);
  const graphqlJs = new ApolloServer<Context>({ schema, ...options });
  const compiled = new ApolloServer<Context>({ gateway: plugin.gateway, plugins: [plugin.plugin], ...options });
  await Promise.all([graphqlJs.start(), compiled.start()]);
  return { graphqlJs, compiled, plugin, stop: () => Promise.all([graphqlJs.stop(), compiled.stop()]) };
}

/** What a client receives: the status and the body. */
function answer(response: GraphQLResponse) {
  if (response.body.kind !== 'single') throw new Error('an incremental answer');
  return { status: response.http.status ?? 200, body: response.body.singleResult };
}

/**
 * The answer as JSON, less what differs between any two runs: an export's
 * time, and the id and positions of the contact list a (reading) mutation
 * records each time.
 */
function comparable(query: string, answer: unknown): string {
  const json = JSON.stringify(answer).replace(/\\"exportedAt\\": \\"[^\\]*\\"/g, '"exportedAt"');
  return query.startsWith('mutation') ? json.replace(/"(id|position|basedOnPosition)":"[^"]*"/g, '"$1"') : json;
}

const oids: Record<TestPrincipal['role'], string> = {
  member: DEFAULT_PRINCIPAL.oid!,
  operator: '0d5e7a11-0000-4000-8000-0000000000a2',
  auditor: '0d5e7a11-0000-4000-8000-0000000000a3',
  analyst: '0d5e7a11-0000-4000-8000-0000000000a4',
};

describe('compiled operations answer exactly as graphql-js does', () => {
  const data = tempDataDir('pl-compiled-');
  let server: TestServer;
  let scenario: ScenarioResult;
  let pair: Awaited<ReturnType<typeof executors<RequestContext>>>;

  beforeAll(async () => {
    server = await startTestServer(data.dir);
    scenario = await runScenario(server);
    pair = await executors<RequestContext>(await buildAppSchema());
  }, 60_000);
  afterAll(async () => {
    await pair?.stop();
    await server?.close();
    data.remove();
  });

  /** Runs the operation on both executors, as the principal, and returns both answers. */
  const both = async (
    query: string,
    variables: Record<string, unknown> = {},
    as: TestPrincipal = DEFAULT_PRINCIPAL,
  ) => {
    const principal: Principal = {
      id: as.oid ?? oids[as.role],
      kind: 'user',
      roles: as.role === 'member' ? [] : [as.role],
    };
    const run = async (apollo: ApolloServer<RequestContext>) => {
      const contextValue = new LedgerRequestContext(server.ledger.services, principal, { id: 'compiled-test' }, () => ({
        correlationId: 'compiled-test',
        client: {},
      }));
      return answer(await apollo.executeOperation({ query, variables }, { contextValue }));
    };
    // Each side reads a settled ledger: the walk's earlier steps append (every export is recorded), and a
    // projection batch landing between the two runs made the second read newer records than the first.
    await settled();
    const compiled = await run(pair.compiled);
    await settled();
    return { compiled, graphqlJs: await run(pair.graphqlJs) };
  };
  /** Every record in flight appended, and every projection caught up with the log. */
  const settled = async () => {
    await server.ledger.services.readRecorder.drain();
    await server.ledger.runner.waitFor(await server.ledger.events.headPosition(), 10_000);
  };

  it('every field of every type, as the schema walk reads them after the privacy scenario', async () => {
    const schema = await introspect(server);
    // A first walk records the views (once a minute per reader): the two compared below then read the same records.
    await queryEverything(server, schema, scenario);
    const differences: string[] = [];
    let compared = 0;
    const comparing = {
      gql: async (query: string, variables?: Record<string, unknown>, as?: TestPrincipal) => {
        const { compiled, graphqlJs } = await both(query, variables, as);
        compared++;
        if (comparable(query, compiled) !== comparable(query, graphqlJs))
          differences.push(
            `${query}\n  compiled:   ${JSON.stringify(compiled)}\n  graphql-js: ${JSON.stringify(graphqlJs)}`,
          );
        return { status: compiled.status, ...compiled.body };
      },
    } as unknown as TestServer;
    await queryEverything(comparing, schema, scenario);
    expect(compared).toBeGreaterThan(10);
    // the walk's queries ran compiled (the mutation that reads, and any introspection, on graphql-js)
    expect(pair.plugin.compiledCount()).toBeGreaterThan(10);
    expect(differences).toEqual([]);
  }, 60_000);

  it('refusals, bad variables and operation shapes', async () => {
    const id = scenario.publisherId;
    const cases: Array<[string, Record<string, unknown>?, TestPrincipal?]> = [
      // the benchmark's query, with aliases, fragments, directives and __typename
      ['query ($id: ID!) { publisher(id: $id) { id companyName version contact { name telephone email } } }', { id }],
      [
        `query ($id: ID!, $all: Boolean!) { p: publisher(id: $id) { ...P c: contact @include(if: $all) { name } aadUsers @skip(if: $all) { objectId } } }
         fragment P on Publisher { __typename id ... on Publisher { companyName } }`,
        { id, all: false },
      ],
      [
        'query ($id: ID!) { offers(publisherId: $id, first: 2) { totalCount edges { cursor node { id name } } } }',
        { id },
      ],
      // not a member, not there, not an id
      [
        'query ($id: ID!) { publisher(id: $id) { id } }',
        { id },
        { role: 'member', oid: '0d5e7a11-0000-4000-8000-00000000beef' },
      ],
      ['query ($id: ID!) { offer(id: $id) { id } }', { id: '01a2047b-653f-755b-abf1-4e2e38bef69d' }],
      ['query ($id: ID!) { publisher(id: $id) { id } }', { id: 'not-an-id' }],
      // variables graphql-jit refuses: graphql-js's words, 400 BAD_USER_INPUT
      ['query ($id: ID!) { publisher(id: $id) { id } }', {}],
      ['query ($id: ID!) { publisher(id: $id) { id } }', { id: 1.5 }],
      [
        'query ($id: ID!, $first: Int) { offers(publisherId: $id, first: $first) { totalCount } }',
        { id, first: 'ten' },
      ],
      [
        'mutation ($input: UpdatePublisherContactInput!) { updatePublisherContact(input: $input) { version } }',
        { input: { id, expectedVersion: 1, contact: { name: 'x', nickname: 'y' } } },
      ],
      // the service refuses: its code, field and rule
      [
        'mutation ($input: UpdatePublisherContactInput!) { updatePublisherContact(input: $input) { version } }',
        { input: { id, expectedVersion: 1, contact: { email: 'not an email' } } },
      ],
      [
        'mutation ($input: UpdatePublisherContactInput!) { updatePublisherContact(input: $input) { version } }',
        { input: { id, expectedVersion: 999, contact: { name: 'Li Lei' } } },
      ],
      // introspection, and documents with more than one operation
      ['{ __schema { queryType { name } } __type(name: "Publisher") { name fields { name } } }'],
      ['query A { me { __typename } } query B { __typename }'],
    ];
    for (const [query, variables, as] of cases) {
      const { compiled, graphqlJs } = await both(query, variables, as);
      expect(compiled, query).toEqual(graphqlJs);
    }
  });
  it('the mutations of one operation run one after the other', async () => {
    const id = scenario.publisherId;
    const read = await server.gql<any>('query ($id: ID!) { publisher(id: $id) { version } }', { id });
    const version = read.data.publisher.version as number;
    const update = (alias: string, expectedVersion: number, name: string) =>
      `${alias}: updatePublisherContact(input: { id: "${id}", expectedVersion: ${expectedVersion}, contact: { name: "${name}" } }) { version publisher { contact { name } } }`;
    const res = await server.gql<any>(
      `mutation { ${update('first', version, 'Han Meimei')} ${update('second', version + 1, 'Wang Fang')} }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      first: { version: version + 1, publisher: { contact: { name: 'Han Meimei' } } },
      second: { version: version + 2, publisher: { contact: { name: 'Wang Fang' } } },
    });
  });
});

describe('an operation that fails runs once', () => {
  it('a read that times out on its read-your-writes bound answers TIMEOUT once the bound has passed, not twice', async () => {
    const data = tempDataDir('pl-compiled-timeout-');
    const server = await startTestServer(data.dir, { READ_YOUR_WRITES_TIMEOUT_MS: '1000' });
    try {
      const registered = await server.gql<any>(REGISTER, { input: aPublisher() });
      const id = registered.data.registerPublisher.publisher.id as string;
      const started = Date.now();
      const res = await server.gql('query ($id: ID!) { publisher(id: $id, minPosition: "999999") { id } }', { id });
      expect(res.errors?.[0]?.extensions?.['code']).toBe('TIMEOUT');
      expect(Date.now() - started).toBeLessThan(1_900);
    } finally {
      await server.close();
      data.remove();
    }
  }, 30_000);
});

describe('errors while executing: graphql-js and compiled alike', () => {
  // A schema of its own: the app's never returns null for a non-null field, nor throws in a list.
  const Item: GraphQLObjectType = new GraphQLObjectType({
    name: 'Item',
    fields: {
      n: { type: new GraphQLNonNull(GraphQLInt) },
      name: {
        type: new GraphQLNonNull(GraphQLString),
        resolve: (item: { n: number }) => (item.n === 2 ? null : `item ${item.n}`),
      },
      refused: {
        type: GraphQLString,
        resolve: async (item: { n: number }) => {
          if (item.n === 3) throw new NotFoundError('Item', String(item.n));
          return 'fine';
        },
      },
    },
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        items: { type: new GraphQLList(Item), resolve: () => [{ n: 1 }, { n: 2 }, { n: 3 }] },
        strict: {
          type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Item))),
          resolve: () => [{ n: 1 }, { n: 2 }],
        },
        coded: {
          type: GraphQLString,
          resolve: () => {
            throw new GraphQLError('refused', { extensions: { code: 'FORBIDDEN' } });
          },
        },
        broken: {
          type: GraphQLString,
          resolve: () => {
            throw new Error('disk on fire');
          },
        },
      },
    }),
  });
  let pair: Awaited<ReturnType<typeof executors<object>>>;
  beforeAll(async () => {
    pair = await executors<object>(schema);
  });
  afterAll(() => pair.stop());

  it('a query without errors is answered by its compiled code', async () => {
    const compiled = answer(
      await pair.compiled.executeOperation({ query: '{ a: items { n } }' }, { contextValue: {} }),
    );
    expect(compiled).toEqual({ status: 200, body: { data: { a: [{ n: 1 }, { n: 2 }, { n: 3 }] } } });
    expect(pair.plugin.compiledCount()).toBe(1);
  });

  it.each([
    ['a null in a non-null field nulls its nearest nullable parent', '{ items { n name } }'],
    ['and up to the root when nothing between is nullable', '{ strict { n name } }'],
    ['a domain error keeps its code', '{ items { n refused } }'],
    ['an error with extensions, and an internal one, beside data', '{ coded broken items { n } }'],
  ])('%s', async (_name, query) => {
    const compiled = answer(await pair.compiled.executeOperation({ query }, { contextValue: {} }));
    const graphqlJs = answer(await pair.graphqlJs.executeOperation({ query }, { contextValue: {} }));
    expect(compiled).toEqual(graphqlJs);
    expect(compiled.body.errors?.length).toBeGreaterThan(0);
    expect(pair.plugin.compiledCount()).toBeGreaterThan(0);
  });
});

describe('compiled operations are forgotten when idle, as every cache', () => {
  afterAll(() => setCacheIdleSeconds(CACHE_IDLE_SECONDS));

  it('an operation unused for the idle expiry leaves the cache, with the literals its code holds', async () => {
    setCacheIdleSeconds(1);
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: { echo: { type: GraphQLString, args: { v: { type: GraphQLString } }, resolve: (_, { v }) => v } },
      }),
    });
    const pair = await executors<object>(schema);
    try {
      const query = '{ echo(v: "li.lei@contoso.cn") }';
      const compiled = answer(await pair.compiled.executeOperation({ query }, { contextValue: {} }));
      expect(compiled.body.data).toEqual({ echo: 'li.lei@contoso.cn' });
      expect(pair.plugin.compiledCount()).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 3_200)); // the expiry, then a sweep (every quarter of it)
      expect(pair.plugin.compiledCount()).toBe(0);
    } finally {
      await pair.stop();
    }
  });
});
