import { defaultFieldResolver, type GraphQLField, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { ForbiddenError, NotFoundError } from '../errors.js';
import { schemaField } from '../schema/schema-field.js';
import { requireId } from '../events/publisher/publisher.validation.js';
import type { GrantState } from '../events/access-grant/access-grant.events.js';
import type { CommandContext } from '../events/store/event-codec.js';
import type { DataCategory } from '../privacy/classification.js';
import {
  fieldPermissions,
  grantScopes,
  operationGrantScopes,
  operationPermissions,
  type Access,
  type Column,
  type Permission,
} from './permissions.js';
import type { Principal } from './principal.js';

/**
 * What authorisation needs to know about the data, per request. Answers are
 * memoised for the request, and once known they come back synchronously, so
 * the 50th check of a page costs a map lookup and no promise.
 */
export interface AccessChecks {
  /** whether the principal is one of the publisher's AAD accounts now (from the publisher's stream) */
  isMember(publisherId: string): Answer<boolean>;
  /** the publisher of a live offer, null when there is none */
  publisherOfOffer(offerId: string): Answer<string | null>;
  /** the publisher of an offer, deleted or not, null when there was never one (a change is judged by who owns it: see ownCheck) */
  ownerOfOffer(offerId: string): Answer<string | null>;
  /** the publisher of a privacy request record, null when there is none */
  publisherOfRecord(recordId: string): Answer<string | null>;
  /** the access grant active now that lets the principal read `category` of the publisher (of its offer `offerId`), null when none does */
  grantFor(publisherId: string, category: DataCategory, offerId?: string): Answer<GrantState | null>;
}

/** A value, or the promise of one while it is not known yet. */
export type Answer<T> = T | Promise<T>;

/** `next` applied to an answer: synchronously when the answer is known. */
function then<T, R>(answer: Answer<T>, next: (value: T) => Answer<R>): Answer<R> {
  return answer instanceof Promise ? answer.then(next) : next(answer);
}

/** The part of the request context authorisation reads. */
export interface AuthorizedContext {
  principal: Principal;
  access: AccessChecks;
  command: CommandContext;
  /** The same context, except that `command.actor.role` is `column`: events record the column an operation or a read was allowed under. */
  actingAs(column: Column): this;
}

/**
 * Enforces src/auth/permissions.ts on the built schema: every root field is
 * wrapped (a root field without a row stops start-up), and so is every
 * personal field the table lists. A root field's resolver (a mutation's, or
 * a query's that records a read) receives a context whose command actor
 * carries the column that allowed it (`member`, `operator`...), so every
 * event records the role it was made under. A personal field keeps the
 * operation's context (one per field and object would cost too much): a
 * read of it is recorded under `readColumn`.
 */
export function enforcePermissions(schema: GraphQLSchema): GraphQLSchema {
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    if (!root) continue;
    const changes = root === schema.getMutationType();
    for (const field of Object.values(root.getFields())) {
      const permission = operationPermissions[field.name];
      if (!permission) throw new Error(`src/auth/permissions.ts has no row for ${root.name}.${field.name}`);
      if (Object.values(permission).includes('grant') && !operationGrantScopes[field.name])
        throw new Error(`src/auth/permissions.ts: ${field.name} has a grant cell but no grant scope`);
      guard(field, permission, field.name, true, (_source, args) => args, changes);
    }
  }
  for (const [key, permission] of Object.entries(fieldPermissions)) {
    const field = schemaField<AuthorizedContext>(schema, key);
    if (!field) throw new Error(`src/auth/permissions.ts names ${key}, which the schema does not have`);
    if (Object.values(permission).includes('grant') && !grantScopes[key])
      throw new Error(`src/auth/permissions.ts: ${key} has a grant cell but no grant scope`);
    guard(field, permission, key, false, (source) => source as Record<string, unknown>);
  }
  return schema;
}

/** Which check an `own` or `grant` cell needs, prepared once per field. */
function cellCheck(permission: Permission, name: string, changes: boolean) {
  const owned = ownCheck(permission, name, changes);
  const granted = grantCheck(permission, name) ?? operationGrantCheck(permission, name);
  return (columns: readonly Column[], subject: Record<string, unknown>, ctx: AuthorizedContext): Answer<Column> =>
    firstColumn(columns, permission, 'own') || !granted ? owned(columns, subject, ctx) : granted(columns, subject, ctx);
}

/** Each permission guard, to the resolver it calls once the permission allows (see src/schema/resolver-chain.ts). */
export const guardedResolvers = new WeakMap<Function, Function>();

function guard(
  field: GraphQLField<unknown, AuthorizedContext>,
  permission: Permission,
  name: string,
  isRoot: boolean,
  subject: (source: unknown, args: Record<string, unknown>) => Record<string, unknown>,
  changes = false,
): void {
  const resolve: GraphQLFieldResolver<unknown, AuthorizedContext> = field.resolve ?? defaultFieldResolver;
  const owned = cellCheck(permission, name, changes);
  field.resolve = (source, args, ctx, info) => {
    const columns = columnsOf(ctx.principal);
    const allowed = firstColumn(columns, permission, 'yes') ?? owned(columns, subject(source, args), ctx);
    if (typeof allowed === 'string') return resolve(source, args, isRoot ? ctx.actingAs(allowed) : ctx, info);
    return allowed.then((column) => resolve(source, args, isRoot ? ctx.actingAs(column) : ctx, info));
  };
  guardedResolvers.set(field.resolve, resolve);
}

/**
 * The column that allowed the principal to read personal field `key` (of
 * `fieldPermissions`), once its guard has let the read through: the first
 * that allows it on any publisher, else the first that allows it on the
 * principal's own (whose membership the guard checked), else the first that
 * allows it under a grant (which the guard found active).
 */
export function readColumn(principal: Principal, key: string): Column {
  const permission = fieldPermissions[key];
  const columns = columnsOf(principal);
  const column =
    permission &&
    (firstColumn(columns, permission, 'yes') ??
      firstColumn(columns, permission, 'own') ??
      firstColumn(columns, permission, 'grant'));
  if (!column) throw new Error(`${key} was read without a column of src/auth/permissions.ts allowing it`);
  return column;
}

/**
 * The columns that judge a principal: its app roles, or, with none, the
 * member column. Staff accounts (operator, auditor, analyst) are judged by
 * their roles only, even where they also belong to a publisher.
 */
function columnsOf(principal: Principal): readonly Column[] {
  return principal.roles.length > 0 ? principal.roles : MEMBER;
}

const MEMBER: readonly Column[] = ['member'];

/** The first of the columns whose cell is `access` (a loop: this runs for every guarded field). */
function firstColumn(columns: readonly Column[], permission: Permission, access: Access): Column | undefined {
  for (const column of columns) if (permission[column] === access) return column;
  return undefined;
}

/**
 * An `own` cell, prepared once per field: resolves the publisher the
 * operation touches and checks membership (synchronously once the request
 * knows the answers; see AccessChecks). A mutation (`changes`) on an offer
 * is judged by the offer's publisher even once it is deleted: the decider
 * answers NOT_FOUND for a deleted offer as for one never created, and a
 * member's retry of the deletion under its idempotency key reaches the
 * command handler, which answers the first result (as the schema promises).
 */
function ownCheck(permission: Permission, name: string, changes: boolean) {
  const { target } = permission;
  const path = target.kind === 'none' ? [] : target.path.split('.');
  const argument = path.at(-1)!;
  return (columns: readonly Column[], subject: Record<string, unknown>, ctx: AuthorizedContext): Answer<Column> => {
    const column = firstColumn(columns, permission, 'own');
    if (!column || target.kind === 'none') throw new ForbiddenError(name);
    const id = wellFormedId(argument, valueAt(subject, path));
    const kind = target.kind === 'subject' ? (subject['kind'] === 'PUBLISHER' ? 'publisher' : 'offer') : target.kind;
    const member = (publisherId: string | null, refused: Refusal): Answer<Column> => {
      if (!publisherId) throw refusal(refused, name, id);
      return then(ctx.access.isMember(publisherId), (isMember) => {
        if (isMember) return column;
        throw refusal(refused, name, id);
      });
    };
    switch (kind) {
      case 'publisher':
        return member(id, 'forbidden');
      case 'offer':
        return then(changes ? ctx.access.ownerOfOffer(id) : ctx.access.publisherOfOffer(id), (publisherId) =>
          member(publisherId, 'offer'),
        );
      case 'record':
        return then(ctx.access.publisherOfRecord(id), (publisherId) => member(publisherId, 'privacy request record'));
    }
  };
}

/**
 * A `grant` cell of a personal field, prepared once per field: the publisher
 * of the object, the field's category (and offer) from grantScopes, and an
 * active grant naming the principal. None is FORBIDDEN, as for a column
 * that says `no`.
 */
function grantCheck(permission: Permission, name: string) {
  const scope = grantScopes[name];
  const { target } = permission;
  if (!scope || target.kind !== 'publisher') return undefined;
  const path = target.path.split('.');
  return (columns: readonly Column[], subject: Record<string, unknown>, ctx: AuthorizedContext): Answer<Column> => {
    const column = firstColumn(columns, permission, 'grant');
    if (!column) throw new ForbiddenError(name);
    const publisherId = String(valueAt(subject, path) ?? '');
    const offerId = scope.offerIdFrom ? String(subject[scope.offerIdFrom]) : undefined;
    return allGranted(ctx, publisherId, [scope.category], offerId, column, name);
  };
}

/**
 * A `grant` cell of an operation (operationGrantScopes): the publisher it
 * names (for an offer's history, the offer's publisher, and the grant may
 * be the offer's), and an active grant for each category it shows.
 */
function operationGrantCheck(permission: Permission, name: string) {
  const scope = operationGrantScopes[name];
  const { target } = permission;
  if (!scope || (target.kind !== 'publisher' && target.kind !== 'subject')) return undefined;
  const path = target.path.split('.');
  return (columns: readonly Column[], args: Record<string, unknown>, ctx: AuthorizedContext): Answer<Column> => {
    const column = firstColumn(columns, permission, 'grant');
    if (!column) throw new ForbiddenError(name);
    const id = wellFormedId(path.at(-1)!, valueAt(args, path));
    const offerId = target.kind === 'subject' && args['kind'] !== 'PUBLISHER' ? id : undefined;
    return then(offerId ? ctx.access.publisherOfOffer(offerId) : id, (publisherId) => {
      // a deleted offer has no publisher to hold a grant on: NOT_FOUND, as for a member (an auditor reads it)
      if (!publisherId) throw new NotFoundError('offer', id);
      return allGranted(ctx, publisherId, scope(args), offerId, column, name);
    });
  };
}

/** `column` when an active grant covers each of the categories, else FORBIDDEN (answers given synchronously once the request knows them). */
function allGranted(
  ctx: AuthorizedContext,
  publisherId: string,
  categories: readonly DataCategory[],
  offerId: string | undefined,
  column: Column,
  name: string,
): Answer<Column> {
  const [first, ...rest] = categories;
  if (first === undefined) return column;
  return then(ctx.access.grantFor(publisherId, first, offerId), (grant) => {
    if (!grant) throw new ForbiddenError(name);
    return allGranted(ctx, publisherId, rest, offerId, column, name);
  });
}

/** How a failed `own` check answers: FORBIDDEN, or NOT_FOUND for an offer or record of another publisher (as for one that does not exist). */
type Refusal = 'forbidden' | 'offer' | 'privacy request record';

function refusal(refused: Refusal, name: string, id: string): Error {
  return refused === 'forbidden' ? new ForbiddenError(name) : new NotFoundError(refused, id);
}

/** The id an `own` check is about, well formed (not memoised: 0.3 µs a check, a few per request). */
function wellFormedId(argument: string, value: unknown): string {
  return requireId(argument, String(value ?? ''));
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  let at = value;
  for (const key of path) at = at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  return at;
}
