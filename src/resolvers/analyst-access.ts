import type { RequestContext } from './context.js';

/**
 * Where the analyst role is checked, once authentication lands (another
 * branch): analytics and masked views are for analysts (and operators), and
 * whoever is not one gets FORBIDDEN. Until then every caller is anonymous and
 * may read them, as every caller may read everything else today.
 *
 * The lead's one line, e.g.:
 *   if (!['analyst', 'operator'].includes(ctx.principal.role)) throw new ForbiddenError('analytics');
 */
export function allowAnalyst(_ctx: RequestContext): void {}
