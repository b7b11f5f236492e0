import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ACTOR_REFERENCE, ActorReferences, actorSubject } from '../../src/privacy/actor-references.js';
import { aadAccountSubject } from '../../src/privacy/data-subjects.js';
import { PersonalDataCodec } from '../../src/privacy/personal-data-codec.js';
import { SqliteKeyStore } from '../../src/privacy/keys/sqlite-key-store.js';
import { tempDataDir } from '../server/harness.js';

describe('actor references', () => {
  const data = tempDataDir('pl-actors-');
  const keys = SqliteKeyStore.open(path.join(data.dir, 'keys.sqlite'), randomBytes(32));
  const personalData = new PersonalDataCodec(keys);
  const actors = new ActorReferences(keys, personalData);
  afterAll(async () => {
    await keys.close();
    data.remove();
  });
  const oid = '5e1d0a7c-1111-4222-8333-444455556666';

  it('one person has one random-looking reference, whatever the case of the object id and however many ask at once', async () => {
    const references = await Promise.all([oid, oid.toUpperCase(), oid, oid].map((id) => actors.referenceOf(id)));
    expect(new Set(references).size).toBe(1);
    expect(references[0]).toMatch(ACTOR_REFERENCE);
    expect(references[0]).not.toContain(oid.slice(0, 8));
    expect(await actors.referenceOf('6e1d0a7c-1111-4222-8333-444455556666')).not.toBe(references[0]);
    expect(await actors.existingReferenceOf(oid)).toBe(references[0]);
    expect(await actors.existingReferenceOf('7e1d0a7c-1111-4222-8333-444455556666')).toBeNull();
  });

  it('records a user without an account by person reference with the object id to seal, and a service or the system as itself', async () => {
    const reference = await actors.referenceOf(oid);
    expect(await actors.recorded({ id: oid, kind: 'user', role: 'operator' })).toEqual({
      id: reference,
      kind: 'user',
      role: 'operator',
      objectId: oid,
    });
    expect(await actors.recorded({ id: oid, kind: 'service' })).toEqual({ id: oid, kind: 'service' });
    const noAccounts = async () => [];
    expect(await actors.filterIds(oid, noAccounts)).toEqual([oid, reference]);
    expect(await actors.filterIds(reference, noAccounts)).toEqual([reference]);
    expect(await actors.filterIds(oid, async () => ['acc-1'])).toEqual([oid, reference, 'acc-1']);
  });

  it('records a member acting on a publisher by its account there, its object id sealed under the account key; an erased account without it', async () => {
    const withAccounts = new ActorReferences(keys, personalData, {
      accountOf: async (_objectId, publisherId) => (publisherId === 'pub-a' ? 'acc-a' : null),
    });
    const member = { id: oid, kind: 'user' as const, role: 'member' };
    (await keys.getOrCreate(aadAccountSubject('pub-a', 'acc-a'))).fill(0); // the account's values were sealed under it when it was added
    const recorded = await withAccounts.recorded(member, 'pub-a');
    expect(recorded).toMatchObject({
      id: 'acc-a',
      publisherId: 'pub-a',
      role: 'member',
      objectId: { s: aadAccountSubject('pub-a', 'acc-a') },
    });
    expect(await withAccounts.shown([recorded])).toEqual([{ objectId: oid, erased: false }]);
    // no account at the publisher: a person reference
    expect((await withAccounts.recorded(member, 'pub-b')).id).toMatch(ACTOR_REFERENCE);
    await keys.destroy(aadAccountSubject('pub-a', 'acc-a'));
    expect(await withAccounts.shown([recorded])).toEqual([{ objectId: null, erased: true }]);
    // once the account's key is gone, no new key is made for it: the actor is written without its object id, and reads as erased
    const late = await withAccounts.recorded(member, 'pub-a');
    expect(late).toEqual({ id: 'acc-a', kind: 'user', role: 'member', publisherId: 'pub-a' });
    expect((await keys.getMany([aadAccountSubject('pub-a', 'acc-a')])).size).toBe(0);
    expect(await withAccounts.shown([late])).toEqual([{ objectId: null, erased: true }]);
    expect(await withAccounts.erasedAmong([late, { id: 'svc' }])).toEqual(new Set(['acc-a']));
  });

  it("seals a member's object id once per account key: its next events carry the same sealed value, a new key gets a new one", async () => {
    const withAccounts = new ActorReferences(keys, personalData, { accountOf: async () => 'acc-s' });
    const subject = aadAccountSubject('pub-s', 'acc-s');
    const member = { id: oid, kind: 'user' as const, role: 'member' };
    (await keys.getOrCreate(subject)).fill(0);
    const first = await withAccounts.recorded(member, 'pub-s');
    const second = await withAccounts.recorded(member, 'pub-s');
    // the same ciphertext: nothing the plaintext actor id (acc-s) does not already say
    expect(second.objectId).toEqual(first.objectId);
    expect(second.objectId).not.toBe(first.objectId); // a copy: no event shares another's object
    expect(await withAccounts.shown([first, second])).toEqual([
      { objectId: oid, erased: false },
      { objectId: oid, erased: false },
    ]);
    // another person under the same subject is sealed afresh
    const other = await withAccounts.recorded({ ...member, id: '9e1d0a7c-1111-4222-8333-444455556666' }, 'pub-s');
    expect(await withAccounts.shown([other])).toEqual([
      { objectId: '9e1d0a7c-1111-4222-8333-444455556666', erased: false },
    ]);
    // the key destroyed and a new one made: nothing sealed under the old key is reused
    await keys.destroy(subject);
    (await keys.getOrCreate(subject)).fill(0);
    const later = await withAccounts.recorded(member, 'pub-s');
    expect((later.objectId as { k: string }).k).not.toBe((first.objectId as { k: string }).k);
    expect(await withAccounts.shown([first, later])).toEqual([
      { objectId: null, erased: true },
      { objectId: oid, erased: false },
    ]);
  });

  it('forgetting a person destroys the link and the lookup: the sealed object id reads as erased, and the next request gets a new reference', async () => {
    const person = '8e1d0a7c-1111-4222-8333-444455556666';
    const reference = await actors.referenceOf(person);
    const sealed = await personalData.seal({ objectId: person }, [
      { path: 'objectId', subjectId: actorSubject(reference) },
    ]);
    const actor = { id: reference, kind: 'user' as const, objectId: sealed.objectId };
    expect(await actors.shown([actor, { id: 'svc', kind: 'service' }, { id: 'ledger', kind: 'system' }])).toEqual([
      { objectId: person, erased: false },
      { objectId: 'svc', erased: false },
      { objectId: null, erased: false },
    ]);

    expect(await actors.forget([person])).toEqual([reference]);
    expect(await actors.shown([actor])).toEqual([{ objectId: null, erased: true }]);
    expect(await actors.existingReferenceOf(person)).toBeNull();
    expect(await actors.filterIds(person, async () => [])).toEqual([person]);
    expect(await actors.forget([person])).toEqual([]);
    expect(await actors.referenceOf(person)).not.toBe(reference);
  });
});
