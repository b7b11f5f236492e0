import { afterEach, describe, expect, it } from 'vitest';
import { offerStream } from '../../src/events/offer/offer.events.js';
import { publisherStream } from '../../src/events/publisher/publisher.events.js';
import type { Ledger } from '../../src/server/ledger.js';
import { tempDataDir } from '../server/harness.js';
import { member, openTestLedger, operator } from '../events/erasure/erasure-fixture.js';

/** A person who is an account of two publishers, and another account of the first. */
const person = {
  objectId: '4b7e2d1c-9a8f-4c3e-b2d1-0f9e8d7c6b5a',
  userPrincipalName: 'twice.okonkwo@accounts-test.example',
  displayName: 'Twice Okonkwo',
};
const colleague = {
  objectId: '5c8f3e2d-0b9a-4d4f-83e2-1a0f9e8d7c6b',
  userPrincipalName: 'stays.lindqvist@accounts-test.example',
  displayName: 'Stays Lindqvist',
};
const preferences = { aboutOffers: true, aboutFeedback: false, byEmail: true, byPhone: false };

describe('actors are named per account', () => {
  const data = tempDataDir('pl-account-refs-');
  let ledger: Ledger | undefined;
  afterEach(async () => {
    await ledger?.close();
    ledger = undefined;
    data.remove();
  });

  /** Publishers A and B, each with the person as an account who acts there (A: twice, and an offer). */
  async function scenario(l: Ledger) {
    const { publishers, offers } = l.services;
    const register = async (name: string, code: string) =>
      (
        await publishers.register(
          {
            companyName: name,
            registrationCode: code,
            contact: { name: 'Desk', telephone: '+8613800000000', email: `desk@${name.toLowerCase()}.example` },
          },
          operator,
        )
      ).publisher.id;
    const a = await register('Alpha', '91350100M000100Y43');
    const b = await register('Beta', '91110000600037341L');
    let version = 0;
    for (const [publisherId, users] of [
      [a, [person, colleague]],
      [b, [person]],
    ] as const) {
      version = (await l.events.readStream(publisherStream(publisherId))).length;
      for (const user of users)
        version = (await publishers.addAadUser({ id: publisherId, expectedVersion: version, ...user }, operator))
          .version;
    }
    const asPerson = member(person.objectId);
    const atA = await publishers.updateContactPreferences(
      {
        id: a,
        expectedVersion: (await l.events.readStream(publisherStream(a))).length,
        contactPreferences: preferences,
      },
      asPerson,
    );
    const offer = await offers.create({ publisherId: a, name: 'Alpha VM', kind: 'VIRTUAL_MACHINE' }, asPerson);
    await publishers.updateContactPreferences(
      { id: b, expectedVersion: version, contactPreferences: preferences },
      asPerson,
    );
    const removed = await publishers.removeAadUser(
      { id: a, expectedVersion: atA.version, objectId: person.objectId },
      member(colleague.objectId),
    );
    const accountAtA = atA.publisher.aadUsers.find((u) => u.objectId === person.objectId)!.accountId;
    await l.runner.waitFor(removed.position, 10_000);
    return { a, b, accountAtA, offerId: offer.offer!.id };
  }

  /** The actors of the member changes at a publisher's streams, as auditors see them. */
  async function memberActors(l: Ledger, publisherId: string) {
    const page = await l.services.auditQueries.page({ publisherId }, 100);
    const actors = page.items.map((entry) => entry.actor).filter((actor) => actor.role === 'member');
    return { actors, shown: await l.services.actors.shown(actors) };
  }

  it("erasing a person's account at one publisher unlinks them from that publisher's events only; me and their other publisher keep them", async () => {
    ledger = await openTestLedger(data.dir);
    await ledger.runner.start();
    const { a, b, accountAtA, offerId } = await scenario(ledger);

    // while the account exists, its actions at A read as the person, and filtering by their object id finds them
    const before = await memberActors(ledger, a);
    expect(before.shown.filter((s) => s.objectId === person.objectId).length).toBeGreaterThanOrEqual(2);
    const byPerson = await ledger.services.auditQueries.page({ actorId: person.objectId }, 100);
    expect(new Set(byPerson.items.map((entry) => entry.publisherId))).toEqual(new Set([a, b]));
    // also by the account's own reference
    expect((await ledger.services.auditQueries.page({ actorId: accountAtA }, 100)).items.length).toBeGreaterThanOrEqual(
      2,
    );

    const erased = await ledger.services.erasure.erase(
      { publisherId: a, target: 'AAD_ACCOUNT', accountId: accountAtA },
      operator,
    );
    await ledger.runner.waitFor(erased.position, 10_000);

    // A's events read as an erased actor's; B's still as the person's
    const atA = await memberActors(ledger, a);
    const personsAtA = atA.actors.filter((actor, i) => actor.id === accountAtA || atA.shown[i]!.erased);
    expect(personsAtA.length).toBeGreaterThanOrEqual(2);
    expect(atA.shown.map((s) => s.objectId)).not.toContain(person.objectId);
    const atB = await memberActors(ledger, b);
    expect(atB.shown.map((s) => s.objectId)).toContain(person.objectId);

    // filtering by the object id finds B's entries only
    const after = await ledger.services.auditQueries.page({ actorId: person.objectId }, 100);
    expect(after.items.length).toBeGreaterThan(0);
    expect(new Set(after.items.map((entry) => entry.publisherId))).toEqual(new Set([b]));
    // me still finds B (and no longer A)
    expect(await ledger.services.membership.publishersOfPerson(person.objectId)).toEqual([b]);

    // nothing in A's streams links the object id any more: no id the remaining keys tie to the person is in them,
    // and no sealed object id in their metadata opens to it
    const linked = new Set(await ledger.services.membership.actorIds(person.objectId));
    const streams = [
      ...(await ledger.events.readStream(publisherStream(a))),
      ...(await ledger.events.readStream(offerStream(offerId))),
    ];
    const clear = JSON.stringify(streams.map((event) => ({ data: event.data, metadata: event.metadata })));
    for (const id of linked) expect(clear).not.toContain(id);
    const opened = JSON.stringify(await ledger.services.history.all({ kind: 'publisher', id: a }));
    expect(opened).not.toContain(person.objectId);
    const metadata = await Promise.all(streams.map((event) => ledger!.services.actors.shown([event.metadata.actor])));
    expect(metadata.flat().map((s) => s.objectId)).not.toContain(person.objectId);
  });
});
