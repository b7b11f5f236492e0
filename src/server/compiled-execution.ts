import type {
  ApolloServerOptionsWithGateway,
  ApolloServerPlugin,
  BaseContext,
  GraphQLRequestListener,
} from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import {
  BREAK,
  execute,
  GraphQLError,
  visit,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { expiringCache } from '../idle-expiry.js';

type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type Executor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;
type Run = CompiledQuery['query'];

/** Operations kept compiled (least recently used out first), each with the code generated for it. */
export const COMPILED_OPERATION_CACHE_ENTRIES = 500;

/**
 * Runs each query and mutation as JavaScript compiled for it once
 * (graphql-jit), instead of graphql-js walking the document, its fields and
 * their arguments again on every request: a fifth of a small query's CPU
 * and half of a page of 50 offers' (docs/performance.md). Apollo parses,
 * validates and runs every plugin as before.
 *
 * Two parts, both given to Apollo: `plugin` runs the compiled operation in
 * `responseForOperation` (the hook a response cache uses) and answers it
 * when it succeeds; `gateway` is Apollo Server 5's only way to take another
 * executor, and runs what the plugin did not answer. Answering every
 * request through the gateway kept each request's objects alive past two
 * scavenges (V8's helper threads then spent 17–21 µs a query), so it runs
 * only the rest: an operation that ended with errors (its result, kept by
 * the plugin, with graphql-jit's errors rebuilt as graphql-js builds them:
 * Apollo's formatting reads an `extensions` object they lack), and on
 * graphql-js everything graphql-jit does not do as graphql-js would:
 * introspection, what it cannot compile, and variables it refuses (before
 * any resolver ran), whose errors are then graphql-js's word for word.
 * test/server/compiled-execution.e2e.test.ts holds both to the same answers.
 */
export function compiledExecution(
  schema: GraphQLSchema,
  entries = COMPILED_OPERATION_CACHE_ENTRIES,
): { plugin: ApolloServerPlugin<BaseContext>; gateway: Gateway; compiledCount(): number } {
  // By Apollo's hash of the query text and the operation's name: a document Apollo parses again compiles to the same.
  // Idle entries go as every cache's do: a document's literals (a value written into the query text) live in its code.
  const compiled = expiringCache<string, Run | 'graphql-js'>({ max: Math.max(1, entries) });
  // An operation's result with errors, by its context (Apollo's copy for that operation), from the plugin to the gateway.
  const withErrors = new WeakMap<object, ExecutionResult>();
  const listener: GraphQLRequestListener<BaseContext> = {
    async responseForOperation({ document, operation, queryHash, request, contextValue }) {
      if (operation?.operation !== 'query' && operation?.operation !== 'mutation') return null;
      const key = `${queryHash}:${request.operationName ?? ''}`;
      let run = compiled.get(key);
      if (run === undefined) {
        run = introspects(document) ? 'graphql-js' : compile(schema, document, request.operationName);
        compiled.set(key, run);
      }
      if (run === 'graphql-js') return null;
      const result = await run(undefined, contextValue, request.variables);
      if (!result.errors) return { http: { headers: new HeaderMap() }, body: { kind: 'single', singleResult: result } };
      // Variables refused: nothing ran, and graphql-js says why, in its words.
      if ('data' in result) withErrors.set(contextValue, result);
      return null;
    },
  };
  let announce: ((schemaContext: { apiSchema: GraphQLSchema; coreSupergraphSdl: string }) => void) | undefined;
  const executor: Executor = async ({ document, context, request }) => {
    const result = withErrors.get(context);
    if (result) {
      withErrors.delete(context);
      return { ...result, errors: result.errors?.map(asGraphqlJsError) };
    }
    const { variables: variableValues, operationName } = request;
    return execute({ schema, document, contextValue: context, variableValues, operationName });
  };
  return {
    plugin: { requestDidStart: async () => listener },
    gateway: {
      onSchemaLoadOrUpdate(callback) {
        announce = callback;
        return () => (announce = undefined);
      },
      async load() {
        announce?.({ apiSchema: schema, coreSupergraphSdl: '' });
        return { executor };
      },
      async stop() {},
    },
    compiledCount: () => [...compiled.values()].filter((run) => run !== 'graphql-js').length,
  };
}

function compile(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): Run | 'graphql-js' {
  try {
    const compiled = compileQuery(schema, document, operationName);
    return isCompiledQuery(compiled) ? compiled.query : 'graphql-js';
  } catch {
    return 'graphql-js';
  }
}

/** Whether the document asks for the schema itself (`__schema`, `__type`): rare, and left to graphql-js. */
function introspects(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * A graphql-jit error as graphql-js's locatedError makes it: the message,
 * locations and path, the resolver's error as `originalError` (for an error
 * of the executor's own, such as a null in a non-null field, an Error with
 * its message, as graphql-js raises it) and that error's extensions.
 */
function asGraphqlJsError(error: GraphQLError): GraphQLError {
  const converted = new GraphQLError(error.message, {
    path: error.path,
    originalError: error.originalError ?? new Error(error.message),
  });
  // graphql-js computes locations from AST nodes, which graphql-jit keeps only as locations.
  Object.defineProperty(converted, 'locations', { value: error.locations, enumerable: true, writable: true });
  return converted;
}
