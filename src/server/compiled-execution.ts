import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
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
import { LRUCache } from 'lru-cache';

type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type Executor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;
type Run = CompiledQuery['query'];

/** Operations kept compiled (least recently used out first); each is a few kilobytes of generated code. */
export const COMPILED_OPERATION_CACHE_ENTRIES = 500;

/**
 * Runs each operation as JavaScript compiled for it once (graphql-jit),
 * instead of graphql-js walking the document, its fields and their
 * arguments again on every request: about a fifth of a small query's CPU
 * (docs/performance.md). Apollo Server 5 takes another executor only as a
 * "gateway", whose schema is ours.
 *
 * What a client sees stays graphql-js's: an operation graphql-jit cannot
 * compile, an introspection query, and variables it refuses run on
 * graphql-js (so their errors are graphql-js's, word for word, with the
 * nodes Apollo reads to answer 400 BAD_USER_INPUT); graphql-jit's errors,
 * which are not built by GraphQLError's constructor (no `extensions` object:
 * Apollo's formatting would fail on them), are rebuilt as graphql-js builds
 * them. Validation, the query limits and every plugin run before, as
 * without it. test/server/compiled-execution.e2e.test.ts holds both
 * executors to the same answers.
 */
export function compiledExecution(schema: GraphQLSchema, entries = COMPILED_OPERATION_CACHE_ENTRIES): Gateway {
  let announce: ((schemaContext: { apiSchema: GraphQLSchema; coreSupergraphSdl: string }) => void) | undefined;
  // By Apollo's hash of the query text and the operation's name: a document Apollo parses again compiles to the same.
  const compiled = new LRUCache<string, Run | 'graphql-js'>({ max: Math.max(1, entries) });
  const executor: Executor = async (request) => {
    const { document, context, operation, queryHash } = request;
    const { variables, operationName } = request.request;
    const key = `${queryHash ?? ''}:${operationName ?? ''}`;
    let run = compiled.get(key);
    if (run === undefined) {
      run = operation && queryHash && !introspects(document) ? compile(schema, document, operationName) : 'graphql-js';
      compiled.set(key, run);
    }
    const graphqlJs = () =>
      execute({ schema, document, contextValue: context, variableValues: variables, operationName });
    if (run === 'graphql-js') return graphqlJs();
    const result = await run(undefined, context, variables);
    if (!result.errors) return result;
    // Variables refused: nothing ran; graphql-js says why, in its words.
    if (!('data' in result)) return graphqlJs();
    return { ...result, errors: result.errors.map(asGraphqlJsError) };
  };
  return {
    onSchemaLoadOrUpdate(callback) {
      announce = callback;
      return () => (announce = undefined);
    },
    async load() {
      announce?.({ apiSchema: schema, coreSupergraphSdl: '' });
      return { executor };
    },
    async stop() {},
  };
}

function compile(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): Run | 'graphql-js' {
  try {
    const compiled: CompiledQuery | ExecutionResult = compileQuery(schema, document, operationName);
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
 * its message) and that error's extensions.
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
