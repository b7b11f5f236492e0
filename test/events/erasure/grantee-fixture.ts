import {
  accessGrantStream,
  evolveAccessGrants,
  initialAccessGrants,
  type AccessGrantEvent,
  type GrantState,
} from '../../../src/events/access-grant/access-grant.events.js';
import type { CommandContext } from '../../../src/events/store/event-codec.js';
import type { Ledger } from '../../../src/server/ledger.js';
import { aRegistrationCode } from '../../server/harness.js';

/** An operator who registers a publisher, and so is also an AAD account of it (its first, the registrant). */
export function staffMember(objectId: string) {
  const context: CommandContext = { actor: { id: objectId, kind: 'user', role: 'operator' }, correlationId: 'c-staff' };
  return { context, registrant: { objectId, userPrincipalName: 'op@contoso.cn', displayName: 'Operator Adeyemi' } };
}

export const aGrantedPublisher = () => ({
  companyName: 'Contoso China',
  registrationCode: aRegistrationCode(),
  contact: { name: 'Li Lei', telephone: '13800138000', email: 'li.lei@contoso.cn' },
});

/** The publisher's grants as its stream in the log holds them (not the read model, which may lag). */
export async function grantsInLog(ledger: Ledger, publisherId: string): Promise<GrantState[]> {
  const events = (await ledger.events.readStream(accessGrantStream(publisherId))) as unknown as AccessGrantEvent[];
  return [...events.reduce(evolveAccessGrants, initialAccessGrants).grants.values()];
}
