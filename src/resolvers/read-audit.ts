import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { readColumn } from '../auth/authorize.js';
import { schemaField } from '../schema/schema-field.js';
import {
  fieldPermissions,
  grantScopes,
  operationGrantScopes,
  operationPermissions,
  type Column,
} from '../auth/permissions.js';
import type { DataCategory } from '../privacy/classification.js';
import type { GrantState } from '../events/access-grant/access-grant.events.js';
import type { RequestContext } from './context.js';

/**
 * The fields whose reading in a query is recorded as a VIEW privacy request
 * record of a publisher's personal data (see ReadRecorder for how often):
 * `Type.field` -> the record's target and the property of the object that
 * names the publisher. A query that selects none of them records nothing.
 */
export const viewedFields: Readonly<Record<string, { target: string; publisherIdFrom: string }>> = {
  'Publisher.contact': { target: 'contact', publisherIdFrom: 'id' },
  'Publisher.aadUsers': { target: 'aadUsers', publisherIdFrom: 'id' },
  'Offer.supportContacts': { target: 'offer.supportContacts', publisherIdFrom: 'publisherId' },
};

/**
 * Wraps each field of `viewedFields` so that resolving it in a query
 * records the view, then answers the field as before. Decided once per field
 * when the schema is built: no type-graphql resolver instance and no
 * promise per call. A query is one read: the recorder is told of each
 * publisher's field once per operation, however many objects show it (a
 * page of 50 offers of one publisher is one view of their support
 * contacts). A mutation's payload shows what the caller just sent and is
 * recorded as the change itself, not as a view. src/auth/authorize.ts wraps
 * these fields again, outside: the permission is checked before anything is
 * recorded or shown.
 */
export function recordViews(schema: GraphQLSchema): GraphQLSchema {
  for (const [key, { target, publisherIdFrom }] of Object.entries(viewedFields)) {
    const field = schemaField<RequestContext>(schema, key);
    if (!field) throw new Error(`src/resolvers/read-audit.ts names ${key}, which the schema does not have`);
    const resolve: GraphQLFieldResolver<unknown, RequestContext> = field.resolve ?? defaultFieldResolver;
    const recorder: GraphQLFieldResolver<unknown, RequestContext> = (source, args, ctx, info) => {
      if (info.operation.operation === 'query') {
        const publisherId = String((source as Record<string, unknown>)[publisherIdFrom]);
        if (firstInOperation(ctx, target, publisherId))
          recordView(ctx, key, target, source as Record<string, unknown>, publisherId);
      }
      return resolve(source, args, ctx, info);
    };
    recorders.add(recorder);
    field.resolve = recorder;
  }
  return schema;
}

/** A view as the column that allowed it: under a grant, against the grant (which the guard found active: its answer is memoised). */
function recordView(
  ctx: RequestContext,
  key: string,
  target: string,
  source: Record<string, unknown>,
  publisherId: string,
): void {
  const column = readColumn(ctx.principal, key);
  const context = () => ctx.actingAs(column).command;
  const scope = fieldPermissions[key]?.[column] === 'grant' ? grantScopes[key] : undefined;
  if (!scope) return ctx.services.readRecorder.viewed(publisherId, target, ctx.principal.id, context);
  const offerId = scope.offerIdFrom ? String(source[scope.offerIdFrom]) : undefined;
  const record = (grant: GrantState | null) =>
    grant && ctx.services.readRecorder.viewedUnderGrant(grant, target, scope.category, offerId, context);
  const grant = ctx.access.grantFor(publisherId, scope.category, offerId);
  if (grant instanceof Promise) void grant.then(record, () => undefined);
  else record(grant);
}

/** The resolvers recordViews made (see src/schema/resolver-chain.ts). */
export const recorders = new WeakSet<GraphQLFieldResolver<unknown, RequestContext>>();

/**
 * Per operation: Apollo gives each operation its own copy of the request's
 * context, on which the first view sets `viewsTold` (a property of the
 * copy, not a WeakMap entry per operation as before).
 */
function firstInOperation(ctx: RequestContext, target: string, publisherId: string): boolean {
  const told = (ctx.viewsTold ??= new Map());
  let publishers = told.get(target);
  if (!publishers) told.set(target, (publishers = new Set()));
  if (publishers.has(publisherId)) return false;
  publishers.add(publisherId);
  return true;
}

/**
 * The grants a root operation (history, the exports) was allowed under,
 * one per category it shows, or null when the column it was allowed under
 * needs none. The guard found each (memoised for the request).
 */
export async function operationGrants(
  ctx: RequestContext,
  operation: string,
  args: Record<string, unknown>,
  publisherId: string,
  offerId?: string,
): Promise<Array<{ grant: GrantState; category: DataCategory }> | null> {
  const column = ctx.command.actor.role as Column | undefined;
  const scope = operationGrantScopes[operation];
  if (!scope || !column || operationPermissions[operation]?.[column] !== 'grant') return null;
  const grants: Array<{ grant: GrantState; category: DataCategory }> = [];
  for (const category of scope(args)) {
    const grant = await ctx.access.grantFor(publisherId, category, offerId);
    if (grant) grants.push({ grant, category });
  }
  return grants;
}
