import { createRequire } from 'node:module';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  getNamedType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type * as QueryComplexity from 'graphql-query-complexity';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import { MAX_PAGE_SIZE } from '../schema/page-size.js';

// The package's ESM build imports graphql's .mjs files: a second copy of
// graphql that rejects our schema ("from another module or realm"). Its
// CommonJS build shares the copy the schema was built with.
const { getComplexity, simpleEstimator } = createRequire(import.meta.url)('graphql-query-complexity') as typeof QueryComplexity;

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
}

/** Codes of the refusals below; stable, documented in the README. */
export type QueryLimitCode = 'QUERY_TOO_DEEP' | 'QUERY_TOO_COSTLY';

function refusal(code: QueryLimitCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}

/**
 * A connection costs its selection once per item it may return: `first`
 * times what one edge (and the page info) costs. A page above the ceiling
 * counts as the ceiling: the resolver refuses it with BAD_USER_INPUT on
 * `first` before reading anything, the clearer answer.
 */
export const connectionEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!getNamedType(field.type).name.endsWith('Connection')) return undefined;
  const asked = args['first'];
  const first = typeof asked === 'number' && asked > 0 ? Math.min(asked, MAX_PAGE_SIZE) : MAX_PAGE_SIZE;
  return 1 + first * Math.max(1, childComplexity);
};

/** The deepest field nesting of one operation, fragments expanded (a cycle counts as infinitely deep). */
export function operationDepth(document: DocumentNode, operation: OperationDefinitionNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const fragmentDepths = new Map<string, number>();
  const depthOf = (set: SelectionSetNode, active: Set<string>): number => {
    let deepest = 0;
    for (const selection of set.selections) {
      switch (selection.kind) {
        case Kind.FIELD:
          deepest = Math.max(deepest, 1 + (selection.selectionSet ? depthOf(selection.selectionSet, active) : 0));
          break;
        case Kind.INLINE_FRAGMENT:
          deepest = Math.max(deepest, depthOf(selection.selectionSet, active));
          break;
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (active.has(name)) return Infinity;
          if (!fragment) break;
          // Memoised: a fragment spread many times (a "fragment bomb") is walked once.
          let depth = fragmentDepths.get(name);
          if (depth === undefined) {
            active.add(name);
            depth = depthOf(fragment.selectionSet, active);
            active.delete(name);
            fragmentDepths.set(name, depth);
          }
          deepest = Math.max(deepest, depth);
          break;
        }
      }
    }
    return deepest;
  };
  return depthOf(operation.selectionSet, new Set());
}

/**
 * Refuses an operation deeper or costlier than the limits after it has been
 * parsed and validated (so fragments are known to be acyclic) and before any
 * resolver runs. Introspection counts for depth like any other query.
 */
export function queryLimitsPlugin(schema: GraphQLSchema, limits: QueryLimits): ApolloServerPlugin {
  const estimators = [connectionEstimator, simpleEstimator({ defaultComplexity: 1 })];
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, operationName, request }) {
          if (!operation) return; // Apollo refuses a request without a resolvable operation itself
          const depth = operationDepth(document, operation);
          if (depth > limits.maxDepth) {
            throw refusal('QUERY_TOO_DEEP', `Query depth ${depth} exceeds the limit of ${limits.maxDepth}.`);
          }
          let cost: number;
          try {
            cost = getComplexity({ schema, query: document, estimators, variables: request.variables ?? {}, ...(operationName ? { operationName } : {}) });
          } catch (error) {
            // Bad variables are refused by execution with BAD_USER_INPUT; too many nodes is a cost refusal.
            if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message)) cost = Infinity;
            else return;
          }
          if (cost > limits.maxCost) {
            throw refusal('QUERY_TOO_COSTLY', `Query cost ${Number.isFinite(cost) ? cost : 'over the node limit'} exceeds the limit of ${limits.maxCost}.`);
          }
        },
      };
    },
  };
}
