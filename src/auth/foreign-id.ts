import { ForbiddenError, IdTakenError } from '../errors.js';
import { requireId } from '../events/publisher/publisher.validation.js';
import type { AuthorizedContext } from './authorize.js';

/**
 * A create that names an id already taken says so ("already exists") only
 * to a caller who belongs to the publisher holding it. Anyone else gets
 * exactly the answer for an operation it may not make (FORBIDDEN with the
 * operation's name), as for any other id of another publisher, so a
 * client-chosen id is no way to learn what exists elsewhere.
 */
export async function unlessForeign<T>(
  operation: 'registerPublisher' | 'createOffer',
  id: string | null | undefined,
  ctx: Pick<AuthorizedContext, 'access'>,
  create: () => Promise<T>,
): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (!(error instanceof IdTakenError) || !id) throw error;
    const taken = requireId('id', id);
    const holder = operation === 'registerPublisher' ? taken : await ctx.access.publisherOfOffer(taken);
    if (holder && (await ctx.access.isMember(holder))) throw error;
    throw new ForbiddenError(operation);
  }
}
