import { afterEach, describe, expect, it } from 'vitest';
import { accessGrantStream, grantStatus } from '../../../src/events/access-grant/access-grant.events.js';
import { ERASURE_ACTOR, FORGOTTEN_GRANTEE_REASON } from '../../../src/events/access-grant/forgotten-grantees.js';
import type { Ledger } from '../../../src/server/ledger.js';
import { tempDataDir } from '../../server/harness.js';
import { member, openTestLedger, operator } from './erasure-fixture.js';
import { aGrantedPublisher as publisher, grantsInLog, staffMember } from './grantee-fixture.js';

const STAFF_OID = '5c000000-0000-4000-8000-0000000000b1';
const { context: staff, registrant } = staffMember(STAFF_OID);

/**
 * An erasure forgets the person of an erased account, then reads the log
 * again for a grant they requested while it ran (src/privacy/account-actors.ts).
 * The process dies in between here: the forgetting is done, the second read
 * is not, and after it nothing leads from the person to their reference. The
 * resumed erasure must still end that grant, which would otherwise read
 * ACTIVE and never be usable.
 */
describe('an erasure that crashed after forgetting a grantee, before reading the log again', () => {
  const data = tempDataDir('pl-erase-grants-crash-');
  let ledger: Ledger | undefined;
  afterEach(async () => {
    await ledger?.close();
    ledger = undefined;
    data.remove();
  });

  it.each([
    ['a person who held a grant before', 'the next start', true],
    ['a person with no reference yet', 'the next start', false],
    ['a person who held a grant before', 'a retry', true],
    ['a person with no reference yet', 'a retry', false],
  ])('the grant they requested meanwhile ends (%s), resumed by %s', async (_, by, grantedBefore) => {
    ledger = await openTestLedger(data.dir);
    const { publishers, accessGrants, actors, erasure } = ledger.services;
    const p0 = (await publishers.register(publisher(), member('5c000000-0000-4000-8000-000000000004'))).publisher.id;
    const endsAt = new Date(Date.now() + 4 * 3_600_000).toISOString();
    const request = (ticket: string) =>
      accessGrants.request({ publisherId: p0, categories: ['administrator'], reason: 'bounce', ticket, endsAt }, staff);
    if (grantedBefore) await request('INC-1');
    const p2 = (await publishers.register(publisher(), staff, registrant)).publisher.id;

    // the person asks for a grant after the erasure's first read of the log; the process dies once they are forgotten
    const forget = actors.forget.bind(actors);
    let raced: string | undefined;
    actors.forget = async (...args) => {
      raced = (await request('INC-2')).grant.grantId;
      await forget(...args);
      throw new Error('the process died after forgetting');
    };
    await expect(erasure.closeAccount({ publisherId: p2 }, operator)).rejects.toThrow('died after forgetting');
    expect(await actors.existingReferenceOf(STAFF_OID)).toBeNull();
    await ledger.close();

    ledger = await openTestLedger(data.dir);
    if (by === 'the next start') await ledger.finishInterruptedErasures();
    else await ledger.services.erasure.closeAccount({ publisherId: p2 }, operator);

    const grants = await grantsInLog(ledger, p0);
    expect(grants.map((grant) => grant.grantId)).toContain(raced);
    expect(grants).toHaveLength(grantedBefore ? 2 : 1);
    const now = new Date().toISOString();
    for (const grant of grants) {
      expect(grantStatus(grant, now)).toBe('REVOKED');
      expect(grant).toMatchObject({ revokedBy: ERASURE_ACTOR.id, revokeReason: FORGOTTEN_GRANTEE_REASON });
    }
    // each grant was revoked once
    const events = await ledger.events.readStream(accessGrantStream(p0));
    expect(events.filter((event) => event.type === 'AccessGrantRevoked')).toHaveLength(grants.length);
  });
});
