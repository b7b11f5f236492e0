import { HeaderMap, type ApolloServerPlugin, type BaseContext, type GraphQLRequestListener } from '@apollo/server';
import { BREAK, visit, type DocumentNode, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';

type Run = CompiledQuery['query'];

/** Queries kept compiled (least recently used out first), each with the code generated for it. */
export const COMPILED_OPERATION_CACHE_ENTRIES = 500;

/**
 * Answers each query with JavaScript compiled for it once (graphql-jit),
 * instead of graphql-js walking the document, its fields and their
 * arguments again on every request: a fifth of a small query's CPU and half
 * of a page of 50 offers' (docs/performance.md). Apollo parses, validates
 * and runs every plugin as before; only the execution of a query that
 * succeeds is ours (`responseForOperation`, the hook a response cache
 * uses; Apollo Server 5 has no executor option, and plugging one in as a
 * "gateway" kept every request's objects alive past two scavenges).
 *
 * What a client sees stays graphql-js's, word for word: mutations,
 * introspection and anything graphql-jit does not compile run on
 * graphql-js; so does a query whose variables graphql-jit refuses (before
 * any resolver ran) or whose compiled run ended with errors: graphql-js then
 * runs it again and Apollo reports its errors as always (a read run twice:
 * the request's loaders and its views already told keep the second run from
 * reading or recording again). test/server/compiled-execution.e2e.test.ts
 * holds both to the same answers.
 */
export function compiledQueries(
  schema: GraphQLSchema,
  entries = COMPILED_OPERATION_CACHE_ENTRIES,
): ApolloServerPlugin<BaseContext> & { compiledCount(): number } {
  // By Apollo's hash of the query text and the operation's name: a document Apollo parses again compiles to the same.
  const compiled = new LRUCache<string, Run | 'graphql-js'>({ max: Math.max(1, entries) });
  const listener: GraphQLRequestListener<BaseContext> = {
    async responseForOperation({ document, operation, queryHash, request, contextValue }) {
      if (operation?.operation !== 'query') return null;
      const key = `${queryHash}:${request.operationName ?? ''}`;
      let run = compiled.get(key);
      if (run === undefined) {
        run = introspects(document) ? 'graphql-js' : compile(schema, document, request.operationName);
        compiled.set(key, run);
      }
      if (run === 'graphql-js') return null;
      const result = await run(undefined, contextValue, request.variables);
      if (result.errors) return null;
      return { http: { headers: new HeaderMap() }, body: { kind: 'single', singleResult: result } };
    },
  };
  return {
    requestDidStart: async () => listener,
    /** how many of the operations kept run compiled (the others run on graphql-js) */
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
