import { UnauthenticatedError } from '../errors.js';

/** The app roles a token may carry in its `roles` claim (the app registration's role values). */
export const APP_ROLES = ['operator', 'auditor', 'analyst'] as const;
export type AppRole = (typeof APP_ROLES)[number];

/**
 * Who is asking, from a verified token. `id` is the AAD object id (`oid`);
 * a publisher member is a principal whose id is one of the publisher's
 * accounts (checked per request against the publisher's stream, not here).
 */
export interface Principal {
  id: string;
  /** `service` for app-only tokens (`idtyp: app`), `user` otherwise */
  kind: 'user' | 'service';
  roles: AppRole[];
  /** from `upn` or `preferred_username`, when the token has one */
  userPrincipalName?: string;
  /** from `name`, when the token has one */
  displayName?: string;
}

const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The principal a verified token's claims describe; a token without an object id is no principal. */
export function principalOf(claims: Record<string, unknown>): Principal {
  const oid = claims['oid'];
  if (typeof oid !== 'string' || !OBJECT_ID.test(oid)) throw new UnauthenticatedError('no_oid');
  const roles = Array.isArray(claims['roles']) ? claims['roles'] : [];
  const upn = [claims['upn'], claims['preferred_username']].find(
    (v): v is string => typeof v === 'string' && v.length > 0,
  );
  const name = claims['name'];
  return {
    id: oid.toLowerCase(),
    kind: claims['idtyp'] === 'app' ? 'service' : 'user',
    roles: APP_ROLES.filter((role) => roles.includes(role)),
    ...(upn ? { userPrincipalName: upn } : {}),
    ...(typeof name === 'string' && name.length > 0 ? { displayName: name } : {}),
  };
}
