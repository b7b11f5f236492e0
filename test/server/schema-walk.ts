import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isObjectType,
  isNonNullType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { expect } from 'vitest';
import type { GqlResponse, TestServer } from './harness.js';
import type { ScenarioResult } from './privacy-scenario.js';

/** The schema as a client sees it, by introspection over HTTP. */
export async function introspect(server: TestServer): Promise<GraphQLSchema> {
  const res = await server.gql<IntrospectionQuery>(getIntrospectionQuery());
  expect(res.errors).toBeUndefined();
  return buildClientSchema(res.data!);
}

/** Arguments for fields that require some, by `Type.field`; a field that needs arguments and is not listed fails the walk. */
function argumentsFor(ids: ScenarioResult): Record<string, string[]> {
  const p = `minPosition: "${ids.position}"`;
  return {
    'Query.publisher': [
      `id: "${ids.publisherId}", ${p}`,
      `id: "${ids.rejectedPublisherId}"`,
      `id: "${ids.publisherId}", asOf: "2999-01-01T00:00:00Z"`,
    ],
    'Query.maskedPublisher': [`id: "${ids.publisherId}"`],
    'Query.offer': [`id: "${ids.offerId}", ${p}`],
    'Query.offers': [`publisherId: "${ids.publisherId}", first: 5`],
    'Query.privacyRequests': [`publisherId: "${ids.publisherId}", first: 20`],
    'Query.accessGrants': [
      `publisherId: "${ids.publisherId}", first: 20`,
      `publisherId: "${ids.rejectedPublisherId}", first: 20`,
    ],
    'Query.history': [
      `kind: PUBLISHER, id: "${ids.publisherId}", first: 20`,
      `kind: OFFER, id: "${ids.offerId}", first: 20`,
      `kind: OFFER, id: "${ids.deletedOfferId}", first: 20`,
    ],
    'Query.exportHistory': [
      `publisherId: "${ids.publisherId}", format: JSONL`,
      `publisherId: "${ids.publisherId}", format: CSV`,
    ],
    'Query.exportPersonalData': [`publisherId: "${ids.publisherId}"`],
    'Query.verifyIntegrity': [`streamId: "publisher-${ids.publisherId}"`],
    'Query.auditTrail': [`first: 20, filter: { publisherId: "${ids.publisherId}" }`],
    'Query.disclosures': [`publisherId: "${ids.publisherId}", first: 5`],
    // a mutation that only reads (and records that it did): walked like a query
    'Mutation.contactList': ['purpose: OFFERS, channel: EMAIL'],
    'Analytics.changesPerDay': ['from: "2020-01-01", to: "2020-12-31"'],
  };
}

const needsArguments = (field: GraphQLField<unknown, unknown>) =>
  field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);

/** Every field of the type, `__typename` on every object, nested objects in full (each type once per path). */
function selection(type: GraphQLObjectType, args: Record<string, string[]>, seen: readonly string[] = []): string {
  const fields = Object.values(type.getFields()).map((field) => {
    const key = `${type.name}.${field.name}`;
    const callArgs = args[key]?.[0];
    if (needsArguments(field) && !callArgs)
      throw new Error(`the schema walk has no arguments for ${key}: add them to argumentsFor`);
    const call = callArgs ? `${field.name}(${callArgs})` : field.name;
    const named = getNamedType(field.type);
    if (!isObjectType(named)) return call;
    if (seen.includes(named.name)) return '';
    return `${call} { ${selection(named, args, [...seen, type.name])} }`;
  });
  return ['__typename', ...fields.filter(Boolean)].join(' ');
}

/**
 * Queries every field of every type reachable from Query, and from the
 * mutations that only read (listed in argumentsFor): one request per root
 * field and argument set (to stay within the cost limit), each selecting
 * everything below it. Responses come back as the server sent them.
 */
export async function queryEverything(
  server: TestServer,
  schema: GraphQLSchema,
  ids: ScenarioResult,
): Promise<GqlResponse<Record<string, any>>[]> {
  const args = argumentsFor(ids);
  const root = schema.getQueryType()!;
  const responses: GqlResponse<Record<string, any>>[] = [];
  for (const field of Object.values(root.getFields())) {
    const key = `Query.${field.name}`;
    const calls = args[key] ?? (needsArguments(field) ? [] : ['']);
    if (calls.length === 0) throw new Error(`the schema walk has no arguments for ${key}: add them to argumentsFor`);
    for (const callArgs of calls) {
      const call = callArgs ? `${field.name}(${callArgs})` : field.name;
      const named = getNamedType(field.type);
      const query = isObjectType(named) ? `{ ${call} { ${selection(named, args, ['Query'])} } }` : `{ ${call} }`;
      // an operator reads every query (the permission table), and the scenario gave it grants on its publishers: nothing is hidden from the walk;
      // but a deleted offer has no publisher to hold a grant on, and its history is the auditor's to read
      const as = callArgs.includes(ids.deletedOfferId)
        ? ({ role: 'auditor' } as const)
        : ({ role: 'operator' } as const);
      responses.push(await server.gql(query, {}, as));
    }
  }
  const mutations = schema.getMutationType()!.getFields();
  for (const [key, calls] of Object.entries(args).filter(([key]) => key.startsWith('Mutation.'))) {
    const field = mutations[key.slice('Mutation.'.length)]!;
    const named = getNamedType(field.type);
    for (const callArgs of calls) {
      const selected = isObjectType(named) ? ` { ${selection(named, args, ['Mutation'])} }` : '';
      responses.push(await server.gql(`mutation { ${field.name}(${callArgs})${selected} }`, {}, { role: 'operator' }));
    }
  }
  return responses;
}

/** Each string leaf of a response, with the `Type.field` it came from (root fields as `Query.<name>`). */
export function leaves(data: unknown, typeName = 'Query'): Array<{ field: string; value: string }> {
  if (data === null || typeof data !== 'object') return [];
  if (Array.isArray(data)) return data.flatMap((item) => leaves(item, typeName));
  const record = data as Record<string, unknown>;
  const type = typeof record['__typename'] === 'string' ? record['__typename'] : typeName;
  return Object.entries(record).flatMap(([name, value]) => {
    if (name === '__typename') return [];
    if (typeof value === 'string') return [{ field: `${type}.${name}`, value }];
    if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
      return value.map((v) => ({ field: `${type}.${name}`, value: v as string }));
    return leaves(value, type);
  });
}
