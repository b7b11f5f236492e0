import { ForbiddenError, IdTakenError } from '../errors.js';
import type { AuthorizedContext } from './authorize.js';
import { operationPermissions } from './permissions.js';

/**
 * A create that names an id already taken says so ("already exists") only
 * to a caller who may read what holds it: a member of its publisher, or a
 * role that reads every publisher's (operator, auditor). Anyone else gets
 * exactly the answer for an operation it may not make (FORBIDDEN with the
 * operation's name), as for any other id of another publisher, so a
 * client-chosen id is no way to learn what exists elsewhere.
 */
export async function unlessForeign<T>(
  operation: 'registerPublisher' | 'createOffer',
  id: string | null | undefined,
  ctx: Pick<AuthorizedContext, 'access' | 'principal'>,
  create: () => Promise<T>,
): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (!(error instanceof IdTakenError) || !id) throw error;
    if (await mayRead(operation === 'registerPublisher' ? 'publisher' : 'offer', error.holder, ctx)) throw error;
    throw new ForbiddenError(operation);
  }
}

/** Whether the caller reads every publisher's records of this kind, or is a member of the one holding the id (its deleted offers included). */
async function mayRead(
  query: 'publisher' | 'offer',
  holder: string,
  ctx: Pick<AuthorizedContext, 'access' | 'principal'>,
): Promise<boolean> {
  if (ctx.principal.roles.some((role) => operationPermissions[query]?.[role] === 'yes')) return true;
  return await ctx.access.isMember(holder);
}
