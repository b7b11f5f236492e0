import type { GraphQLSchema } from 'graphql';
import { enforcePermissions, guardedResolvers } from '../auth/authorize.js';
import { fieldPermissions } from '../auth/permissions.js';
import { recordViews, recorders, viewedFields } from '../resolvers/read-audit.js';
import { callResolversDirectly } from './direct-resolvers.js';
import { schemaField } from './schema-field.js';

/**
 * The resolvers graphql-js calls, wrapped in the one order that is safe:
 * root fields call their methods directly (replacing type-graphql's
 * resolvers, so it must come first), views of personal fields are recorded,
 * and the permission guard wraps everything, outermost, so nothing is
 * recorded or shown before the permission allows it. Each step replaces
 * `field.resolve` in place, which leans on how type-graphql builds the
 * schema; `assertResolverChain` proves the result on every start, so an
 * upgrade that changes those internals stops the service instead of
 * silently skipping authorisation.
 */
export function wireResolvers(schema: GraphQLSchema, resolverClasses: readonly Function[]): GraphQLSchema {
  return assertResolverChain(enforcePermissions(recordViews(callResolversDirectly(schema, resolverClasses))));
}

/** Throws unless every root field and every listed personal field answers through its permission guard, with views recorded inside it. */
export function assertResolverChain(schema: GraphQLSchema): GraphQLSchema {
  const wrong: string[] = [];
  const fieldOf = (key: string) => schemaField<unknown>(schema, key);
  const roots = [schema.getQueryType(), schema.getMutationType()].flatMap((root) =>
    root ? Object.keys(root.getFields()).map((name) => `${root.name}.${name}`) : [],
  );
  for (const key of [...roots, ...Object.keys(fieldPermissions)]) {
    const resolve = fieldOf(key)?.resolve;
    if (!resolve || !guardedResolvers.has(resolve)) wrong.push(`${key} is not guarded by its permission`);
  }
  for (const key of Object.keys(viewedFields)) {
    const resolve = fieldOf(key)?.resolve;
    const inner = resolve && guardedResolvers.get(resolve);
    if (!inner || !recorders.has(inner as never))
      wrong.push(`${key} does not record its views inside its permission guard`);
  }
  if (wrong.length > 0)
    throw new Error(
      `the resolver chain is broken (did a type-graphql or graphql upgrade change how fields resolve?): ${wrong.join('; ')}`,
    );
  return schema;
}
