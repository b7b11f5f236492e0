import type { GraphQLFieldResolver, GraphQLObjectType, GraphQLSchema } from 'graphql';
import { getMetadataStorage } from 'type-graphql';

type ResolverMetadata = ReturnType<typeof getMetadataStorage>['queries'][number];
type ParamMetadata = NonNullable<ResolverMetadata['params']>[number];
type Resolve = GraphQLFieldResolver<unknown, Record<string, unknown>>;

/** How one parameter of a resolver method is taken from graphql-js's call; undefined: a kind this module leaves to type-graphql. */
function paramReader(
  param: ParamMetadata,
): ((args: Record<string, unknown>, ctx: Record<string, unknown>, info: unknown) => unknown) | undefined {
  switch (param.kind) {
    case 'arg': {
      const { name } = param;
      return (args) => args[name];
    }
    case 'args':
      return (args) => args;
    case 'context': {
      const { propertyName } = param;
      return propertyName === undefined ? (_args, ctx) => ctx : (_args, ctx) => ctx[propertyName];
    }
    case 'info':
      return (_args, _ctx, info) => info;
    default:
      return undefined;
  }
}

/** A resolver that calls the method straight, or undefined when the metadata asks for more than that. */
function directResolver(
  metadata: ResolverMetadata,
  instances: Map<Function, Record<string, unknown>>,
): Resolve | undefined {
  if (metadata.middlewares?.length || metadata.roles?.length) return undefined;
  const readers = [...(metadata.params ?? [])].sort((a, b) => a.index - b.index).map(paramReader);
  if (readers.some((reader) => reader === undefined)) return undefined;
  let instance = instances.get(metadata.target);
  if (!instance) {
    // Our resolver classes are stateless: one instance each, as type-graphql's default container keeps.
    instance = new (metadata.target as new () => Record<string, unknown>)();
    instances.set(metadata.target, instance);
  }
  const method = instance[metadata.methodName] as (...params: unknown[]) => unknown;
  const target = instance;
  const read = readers as NonNullable<(typeof readers)[number]>[];
  if (read.length === 2) {
    const [first, second] = read as [(typeof read)[number], (typeof read)[number]];
    return (_root, args, ctx, info) => method.call(target, first(args, ctx, info), second(args, ctx, info));
  }
  return (_root, args, ctx, info) =>
    method.apply(
      target,
      read.map((reader) => reader(args, ctx, info)),
    );
}

/**
 * Root fields (queries and mutations) call their resolver methods directly
 * with graphql-js's coerced arguments, instead of through type-graphql's
 * per-call wrapper. That wrapper sorts the parameters, rebuilds every input
 * argument as instances of its classes (scanning the metadata for each
 * field) and awaits a validation that is switched off, on every call:
 * about 5% of the request thread's CPU in a durable mutation (perf).
 *
 * Nothing is lost: our input classes carry no methods, initialisers or
 * checks (defaults are in the schema and applied by graphql-js; validation
 * is the services' job, src/events/*), and no resolver has middlewares or
 * roles. A field whose metadata asks for any of that, or for a parameter
 * other than an argument, the context or the info, keeps type-graphql's
 * resolver, as does a method inherited from a class outside
 * `resolverClasses`. Must run before anything else wraps the root fields.
 */
export function callResolversDirectly(schema: GraphQLSchema, resolverClasses: readonly Function[]): GraphQLSchema {
  const storage = getMetadataStorage();
  // The metadata holds every decorated class loaded; only the schema's own resolvers count.
  const ours = new Set(resolverClasses);
  const instances = new Map<Function, Record<string, unknown>>();
  const roots: Array<[GraphQLObjectType | null | undefined, readonly ResolverMetadata[]]> = [
    [schema.getQueryType(), storage.queries],
    [schema.getMutationType(), storage.mutations],
  ];
  for (const [root, resolvers] of roots) {
    if (!root) continue;
    const fields = root.getFields();
    for (const metadata of resolvers) {
      if (!ours.has(metadata.target)) continue;
      const field = fields[metadata.schemaName];
      const resolve = field && directResolver(metadata, instances);
      if (field && resolve) field.resolve = resolve as typeof field.resolve;
    }
  }
  return schema;
}
