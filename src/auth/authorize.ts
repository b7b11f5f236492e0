import { defaultFieldResolver, isObjectType, type GraphQLField, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { ForbiddenError, NotFoundError } from '../errors.js';
import { requireId } from '../events/publisher/publisher.validation.js';
import type { CommandContext } from '../events/event-codec.js';
import { fieldPermissions, operationPermissions, type Column, type Permission } from './permissions.js';
import type { Principal } from './principal.js';

/** What authorisation needs to know about the data, per request (answers are memoised for the request). */
export interface AccessChecks {
  /** whether the principal is one of the publisher's AAD accounts now (from the publisher's stream) */
  isMember(publisherId: string): Promise<boolean>;
  /** the publisher of a live offer, null when there is none */
  publisherOfOffer(offerId: string): Promise<string | null>;
  /** the publisher of a privacy request record, null when there is none */
  publisherOfRecord(recordId: string): Promise<string | null>;
}

/** The part of the request context authorisation reads. */
export interface AuthorizedContext {
  principal: Principal;
  access: AccessChecks;
  command: CommandContext;
}

/**
 * Enforces src/auth/permissions.ts on the built schema: every root field is
 * wrapped (a root field without a row stops start-up), and so is every
 * personal field the table lists. A mutation's resolver receives a context
 * whose command actor carries the column that allowed it (`member`,
 * `operator`...), so every event records the role it was made under.
 */
export function enforcePermissions(schema: GraphQLSchema): GraphQLSchema {
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    if (!root) continue;
    const isMutation = root === schema.getMutationType();
    for (const field of Object.values(root.getFields())) {
      const permission = operationPermissions[field.name];
      if (!permission) throw new Error(`src/auth/permissions.ts has no row for ${root.name}.${field.name}`);
      guard(field, permission, field.name, isMutation, (_source, args) => args);
    }
  }
  for (const [key, permission] of Object.entries(fieldPermissions)) {
    const [typeName, fieldName] = key.split('.') as [string, string];
    const type = schema.getType(typeName);
    const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
    if (!field) throw new Error(`src/auth/permissions.ts names ${key}, which the schema does not have`);
    guard(field, permission, key, false, (source) => source as Record<string, unknown>);
  }
  return schema;
}

function guard(
  field: GraphQLField<unknown, AuthorizedContext>,
  permission: Permission,
  name: string,
  isMutation: boolean,
  subject: (source: unknown, args: Record<string, unknown>) => Record<string, unknown>,
): void {
  const resolve: GraphQLFieldResolver<unknown, AuthorizedContext> = field.resolve ?? defaultFieldResolver;
  field.resolve = (source, args, ctx, info) => {
    const columns = columnsOf(ctx.principal);
    const run = (column: Column) => resolve(source, args, isMutation ? actingAs(ctx, column) : ctx, info);
    const allowed = columns.find((column) => permission[column] === 'yes');
    if (allowed) return run(allowed);
    return ownAllowed(permission, columns, name, subject(source, args), ctx).then(run);
  };
}

/**
 * The columns that judge a principal: its app roles, or, with none, the
 * member column. Staff accounts (operator, auditor, analyst) are judged by
 * their roles only, even where they also belong to a publisher.
 */
function columnsOf(principal: Principal): readonly Column[] {
  return principal.roles.length > 0 ? principal.roles : ['member'];
}

/** An `own` cell: resolves the publisher the operation touches and checks membership. */
async function ownAllowed(
  permission: Permission,
  columns: readonly Column[],
  name: string,
  subject: Record<string, unknown>,
  ctx: AuthorizedContext,
): Promise<Column> {
  const column = columns.find((c) => permission[c] === 'own');
  const { target } = permission;
  if (!column || target.kind === 'none') throw new ForbiddenError(name);
  const field = target.path.split('.').at(-1)!;
  const id = requireId(field, String(valueAt(subject, target.path) ?? ''));
  const kind = target.kind === 'subject' ? (subject['kind'] === 'PUBLISHER' ? 'publisher' : 'offer') : target.kind;
  switch (kind) {
    case 'publisher':
      if (await ctx.access.isMember(id)) return column;
      throw new ForbiddenError(name);
    case 'offer': {
      const publisherId = await ctx.access.publisherOfOffer(id);
      if (publisherId && (await ctx.access.isMember(publisherId))) return column;
      throw new NotFoundError('offer', id);
    }
    case 'record': {
      const publisherId = await ctx.access.publisherOfRecord(id);
      if (publisherId && (await ctx.access.isMember(publisherId))) return column;
      throw new NotFoundError('privacy request record', id);
    }
  }
}

function valueAt(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), value);
}

/** The same context, but events record the column the mutation was allowed under. */
function actingAs(ctx: AuthorizedContext, column: Column): AuthorizedContext {
  const command = ctx.command;
  return Object.create(ctx, { command: { value: { ...command, actor: { ...command.actor, role: column } } } }) as AuthorizedContext;
}
