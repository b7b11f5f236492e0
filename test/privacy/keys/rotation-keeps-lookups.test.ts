import { afterEach, describe, expect, it } from 'vitest';
import type { CommandContext } from '../../../src/events/store/event-codec.js';
import { rotateMasterKey } from '../../../src/privacy/keys/master-key-rotation.js';
import type { Principal } from '../../../src/auth/principal.js';
import { tempDataDir } from '../../server/harness.js';
import { openTestLedger } from '../../events/erasure/erasure-fixture.js';

const member: Principal = {
  id: '5b0e7c3a-9d41-4f2e-8a6b-1c3d5e7f9a0b',
  kind: 'user',
  roles: [],
  userPrincipalName: 'wen.hai@contoso.cn',
};
const registrant = { objectId: member.id, userPrincipalName: 'wen.hai@contoso.cn' };
const asMember: CommandContext = { actor: { id: member.id, kind: 'user' }, correlationId: 'c-2' };
const input = {
  companyName: 'Contoso China',
  registrationCode: '91350100M000100Y43',
  contact: { name: 'Wen Hai', telephone: '+8613812345678', email: 'wen.hai@contoso.cn' },
};

/**
 * Lookups the ledger records in the log (the blind index of an account's
 * object id, the fingerprint of an idempotent request) are keyed by
 * secrets; a master-key rotation must not change them.
 */
describe('after a master-key rotation', () => {
  const data = tempDataDir('pl-rotate-lookups-');
  afterEach(() => data.remove());

  it('me.publishers still finds the publishers of accounts added before it, also after rebuild memberships', async () => {
    const before = await openTestLedger(data.dir);
    await before.runner.start();
    const registered = await before.services.publishers.register(
      { ...input, idempotencyKey: 'register-once-1' },
      asMember,
      registrant,
    );
    await before.runner.waitFor(registered.position, 10_000);
    expect(await before.services.membership.publishersOf(member)).toEqual([registered.publisher.id]);
    await before.close();

    await rotateMasterKey({ dataDir: data.dir, keyStoreFile: 'keys.sqlite' });

    const after = await openTestLedger(data.dir);
    await after.runner.start();
    try {
      await after.runner.waitFor(registered.position, 10_000);
      expect(await after.services.membership.publishersOf(member)).toEqual([registered.publisher.id]);
      await after.runner.rebuild('memberships');
      expect(await after.services.membership.publishersOf(member)).toEqual([registered.publisher.id]);
      // a retry of the registration is recognised as the same request, not a second publisher
      const retried = await after.services.publishers.register(
        { ...input, idempotencyKey: 'register-once-1' },
        asMember,
        registrant,
      );
      expect(retried.publisher.id).toBe(registered.publisher.id);
      expect(retried.position).toBe(registered.position);
    } finally {
      await after.close();
    }
  });

  it('an account added after the rotation is found too', async () => {
    const ledger0 = await openTestLedger(data.dir);
    await ledger0.close();
    await rotateMasterKey({ dataDir: data.dir, keyStoreFile: 'keys.sqlite' });
    const ledger = await openTestLedger(data.dir);
    await ledger.runner.start();
    try {
      const registered = await ledger.services.publishers.register(input, asMember, registrant);
      await ledger.runner.waitFor(registered.position, 10_000);
      expect(await ledger.services.membership.publishersOf(member)).toEqual([registered.publisher.id]);
    } finally {
      await ledger.close();
    }
  });
});
