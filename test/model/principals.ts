import type { Column } from '../../src/auth/permissions.js';
import type { TestPrincipal } from '../server/harness.js';
import type { LedgerModel, PublisherModel } from './ledger-model.js';

/**
 * The people of a random history: four signed-in users without app roles
 * (publisher members once they are one of a publisher's AAD accounts) and
 * one of each staff role. Fixed ids: a history names them by index, so a
 * shrunk counterexample reads "user 2 removes user 0".
 */
export interface ModelPrincipal extends TestPrincipal {
  name: string;
  oid: string;
  column: Column;
}

const oid = (n: number) => `0d5e7a11-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

const user = (i: number): ModelPrincipal => ({
  name: `user${i}`,
  role: 'member',
  column: 'member',
  oid: oid(0x100 + i),
  userPrincipalName: `user${i}@contoso.cn`,
  displayName: `User ${i}`,
});

export const USERS: readonly ModelPrincipal[] = [0, 1, 2, 3].map(user);

const staff = (role: 'operator' | 'auditor' | 'analyst', n: number): ModelPrincipal => ({
  name: role,
  role,
  column: role,
  oid: oid(n),
  userPrincipalName: `${role}@contoso.cn`,
  displayName: role,
});

export const OPERATOR = staff('operator', 0xa2);
export const AUDITOR = staff('auditor', 0xa3);
export const ANALYST = staff('analyst', 0xa4);

/**
 * Who the invariants read everything as: an auditor, who supervises and
 * reads personal values without a grant (an operator needs one: see
 * grant-commands.ts, which checks operators' reads with and without one).
 */
export const INSPECTOR = AUDITOR;

/** Everyone who may act in a history: the users first, then the staff. */
export const PRINCIPALS: readonly ModelPrincipal[] = [...USERS, OPERATOR, AUDITOR, ANALYST];

export const principalAt = (i: number): ModelPrincipal => PRINCIPALS[i % PRINCIPALS.length]!;

/**
 * Who acts in a step: -1 is "a member of the publisher the step touches"
 * (so that most steps get past authorisation; the operator when it has
 * none), otherwise an index into PRINCIPALS.
 */
export function resolveActor(model: LedgerModel, who: number, p: PublisherModel | undefined): ModelPrincipal {
  if (who >= 0) return principalAt(who);
  const member = p && USERS.find((u) => model.isMember(u, p.id));
  return member ?? OPERATOR;
}
