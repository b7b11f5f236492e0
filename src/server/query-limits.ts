import { createRequire } from 'node:module';
import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import {
  GraphQLError,
  getNamedType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type TypeNode,
} from 'graphql';
import type * as QueryComplexity from 'graphql-query-complexity';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import { statusOf } from '../error-codes.js';
import { MAX_PAGE_SIZE } from '../schema/page-size.js';
import { accessRecordEstimator, MAX_ACCESS_RECORDS, readCostEstimator } from './read-costs.js';

// The package's ESM build imports graphql's .mjs files: a second copy of
// graphql that rejects our schema ("from another module or realm"). Its
// CommonJS build shares the copy the schema was built with.
const { getComplexity, simpleEstimator } = createRequire(import.meta.url)(
  'graphql-query-complexity',
) as typeof QueryComplexity;

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
}

/** The refusals below (src/error-codes.ts; docs/operations.md, Hardening). */
function refusal(code: 'QUERY_TOO_DEEP' | 'QUERY_TOO_COSTLY', message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: statusOf(code) } } });
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

/** What the limits look at, for one operation of one document with given variables. */
interface Measure {
  depth: number;
  /** undefined when the variables are invalid: execution refuses them with BAD_USER_INPUT */
  cost: number | undefined;
  /** privacy request records a query may append (exports, views); 0 for a mutation */
  records: number;
}

/** Entries kept per document; past it, operations are measured without caching. */
const CACHE_PER_DOCUMENT = 64;

/**
 * Measures an operation, remembering the answer per parsed document (Apollo
 * hands the same DocumentNode to every request with the same query text).
 * Only Int and Boolean variables can change the measure (`first`,
 * `@include`, `@skip`), so only their values are part of the key: ids and
 * inputs, which may hold personal data, are never kept.
 */
function cachedMeasure(
  measure: (document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>) => Measure,
) {
  const cache = new WeakMap<DocumentNode, Map<string, Measure>>();
  const scalarNames = new WeakMap<OperationDefinitionNode, string[]>();
  return (document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): Measure => {
    let names = scalarNames.get(operation);
    if (!names) {
      names = (operation.variableDefinitions ?? [])
        .filter((definition) => ['Int', 'Boolean'].includes(getNamedTypeNode(definition.type)))
        .map((definition) => definition.variable.name.value);
      scalarNames.set(operation, names);
    }
    const scalars = names.length === 0 ? '' : JSON.stringify(names.map((name) => variables[name] ?? null));
    const key = `${operation.name?.value ?? ''}\u0000${scalars}`;
    let entries = cache.get(document);
    const known = entries?.get(key);
    if (known) return known;
    const measured = measure(document, operation, variables);
    if (!entries) cache.set(document, (entries = new Map()));
    if (measured.cost !== undefined && entries.size < CACHE_PER_DOCUMENT) entries.set(key, measured);
    return measured;
  };
}

function getNamedTypeNode(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : getNamedTypeNode(type.type);
}

/**
 * Refuses an operation deeper or costlier than the limits after it has been
 * parsed and validated (so fragments are known to be acyclic) and before any
 * resolver runs. Introspection counts for depth like any other query.
 */
export function queryLimitsPlugin(schema: GraphQLSchema, limits: QueryLimits): ApolloServerPlugin {
  const estimators = [readCostEstimator, connectionEstimator, simpleEstimator({ defaultComplexity: 1 })];
  const measure = cachedMeasure((document, operation, variables): Measure => {
    const depth = operationDepth(document, operation);
    if (depth > limits.maxDepth) return { depth, cost: 0, records: 0 }; // refused for depth; cost needs no walk
    try {
      const operationName = operation.name?.value;
      const of = (using: ComplexityEstimator[]) =>
        getComplexity({
          schema,
          query: document,
          estimators: using,
          variables,
          ...(operationName ? { operationName } : {}),
        });
      // A mutation's payload shows what the caller sent: it records no view.
      return {
        depth,
        cost: of(estimators),
        records: operation.operation === 'query' ? of([accessRecordEstimator]) : 0,
      };
    } catch (error) {
      // More than the node limit (a fragment bomb) is a cost refusal; anything else is bad variables.
      if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message))
        return { depth, cost: Infinity, records: 0 };
      return { depth, cost: undefined, records: 0 };
    }
  });
  // One listener for every request: nothing is made per request.
  const listener: GraphQLRequestListener<BaseContext> = {
    async didResolveOperation({ document, operation, request }) {
      if (!operation) return; // Apollo refuses a request without a resolvable operation itself
      const { depth, cost, records } = measure(document, operation, request.variables ?? {});
      if (depth > limits.maxDepth) {
        throw refusal('QUERY_TOO_DEEP', `Query depth ${depth} exceeds the limit of ${limits.maxDepth}.`);
      }
      if (cost !== undefined && cost > limits.maxCost) {
        throw refusal(
          'QUERY_TOO_COSTLY',
          `Query cost ${Number.isFinite(cost) ? cost : 'over the node limit'} exceeds the limit of ${limits.maxCost}.`,
        );
      }
      if (records > MAX_ACCESS_RECORDS) {
        throw refusal(
          'QUERY_TOO_COSTLY',
          `The query may append ${records} privacy request records (exports, views) and at most ${MAX_ACCESS_RECORDS} records are allowed per request.`,
        );
      }
    },
  };
  return { requestDidStart: async () => listener };
}
