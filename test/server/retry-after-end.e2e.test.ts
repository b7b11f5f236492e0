import { describe, expect, it } from 'vitest';
import { aPublisher, APPROVING_OPERATOR, REGISTER, suiteServer, type TestPrincipal } from './harness.js';

const CLOSE = `mutation ($input: ClosePublisherAccountInput!) { closePublisherAccount(input: $input) { subjects erasedCount position } }`;
const CREATE_OFFER = `mutation ($input: CreateOfferInput!) { createOffer(input: $input) { version position offer { id } } }`;
const DELETE_OFFER = `mutation ($input: OfferChangeInput!) { deleteOffer(input: $input) { version position offer { id } } }`;
const STRANGER: TestPrincipal = { role: 'member', oid: '5a1e0000-0000-4000-8000-00000000c0de' };

/**
 * A client whose first answer was lost retries with the same idempotency
 * key, and the schema promises the first result. For the two changes that
 * end what they change, the retry met the ended entity first and answered
 * NOT_FOUND (the offer was deleted) or FORBIDDEN (the closure erased its
 * members), so the client could not tell a retry that had worked from one
 * that had not.
 */
describe('a retry of a change that ended what it changed', () => {
  const server = suiteServer();

  async function anOffer(): Promise<{ publisherId: string; offerId: string }> {
    const registered = await server().gql(REGISTER, { input: aPublisher() });
    const publisherId: string = registered.data!['registerPublisher'].publisher.id;
    const created = await server().gql(CREATE_OFFER, {
      input: { publisherId, name: 'Contoso Cloud', kind: 'VIRTUAL_MACHINE' },
    });
    return { publisherId, offerId: created.data!['createOffer'].offer.id };
  }

  it("deleting an offer answers the first deletion to its publisher's member, and records nothing", async () => {
    const { offerId } = await anOffer();
    const remove = { input: { id: offerId, expectedVersion: 1, idempotencyKey: 'delete-offer-0001' } };
    const first = await server().gql(DELETE_OFFER, remove);
    expect(first.errors).toBeUndefined();
    const head = await server().ledger.events.headPosition();

    const retried = await server().gql(DELETE_OFFER, remove);
    expect(retried.errors).toBeUndefined();
    expect(retried.data).toEqual(first.data);
    expect(await server().ledger.events.headPosition()).toBe(head);
  });

  it('a deleted offer stays NOT_FOUND without the key, and to anyone else with it', async () => {
    const { offerId } = await anOffer();
    const remove = { input: { id: offerId, expectedVersion: 1, idempotencyKey: 'delete-offer-0002' } };
    expect((await server().gql(DELETE_OFFER, remove)).errors).toBeUndefined();

    const again = await server().gql(DELETE_OFFER, { input: { id: offerId, expectedVersion: 2 } });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', what: 'offer' });
    const stranger = await server().gql(DELETE_OFFER, remove, STRANGER);
    expect(stranger.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', what: 'offer' });
    expect(stranger.data).toBeNull();
  });

  it("closing a publisher account answers an operator's retry with the first closure", async () => {
    const registered = await server().gql(REGISTER, { input: aPublisher() });
    const id: string = registered.data!['registerPublisher'].publisher.id;
    const close = { input: { publisherId: id, idempotencyKey: 'close-account-0001' } };
    const first = await server().gql(CLOSE, close, APPROVING_OPERATOR);
    expect(first.errors).toBeUndefined();
    const head = await server().ledger.events.headPosition();

    const retried = await server().gql(CLOSE, close, APPROVING_OPERATOR);
    expect(retried.errors).toBeUndefined();
    expect(retried.data).toEqual(first.data);
    expect(await server().ledger.events.headPosition()).toBe(head);
  });

  // Found by the model test: the retry recomputed its answer from what the
  // closure covers, and named the contact erased before the closure, which
  // the first answer rightly did not.
  it('answers the subjects the first closure erased, not those erased before it', async () => {
    const ERASE = `mutation ($input: ErasePersonalDataInput!) { erasePersonalData(input: $input) { erasedCount } }`;
    const { publisherId: id, offerId } = await anOffer();
    await server().gql(DELETE_OFFER, { input: { id: offerId, expectedVersion: 1 } });
    expect((await server().gql(ERASE, { input: { publisherId: id, target: 'CONTACT' } })).errors).toBeUndefined();
    const erasedOffer = await server().gql(ERASE, { input: { publisherId: id, target: 'OFFER_SUPPORT', offerId } });
    expect(erasedOffer.errors).toBeUndefined();
    const live = await server().gql(CREATE_OFFER, {
      input: { publisherId: id, name: 'Fabrikam', kind: 'VIRTUAL_MACHINE' },
    });
    const close = { input: { publisherId: id, idempotencyKey: 'close-account-0003' } };
    const first = await server().gql(CLOSE, close, APPROVING_OPERATOR);
    expect(first.errors).toBeUndefined();
    expect(first.data!['closePublisherAccount'].subjects).not.toContain(`publisher/${id}/contact`);
    expect(first.data!['closePublisherAccount'].subjects).toContain(
      `offer/${live.data!['createOffer'].offer.id}/support`,
    );
    expect(first.data!['closePublisherAccount'].subjects).not.toContain(`offer/${offerId}/support`);

    const retried = await server().gql(CLOSE, close, APPROVING_OPERATOR);
    expect(retried.data).toEqual(first.data);
  });

  // The closure erased the accounts that let the member make it, and nothing
  // in the log links a person to an erased account (issue 18), so the person
  // cannot be told apart from a stranger: the retry is FORBIDDEN for both,
  // as the idempotencyKey's description says.
  it("a former member's retry of the closure is FORBIDDEN, as a stranger's, and records nothing", async () => {
    const registered = await server().gql(REGISTER, { input: aPublisher() });
    const id: string = registered.data!['registerPublisher'].publisher.id;
    const close = { input: { publisherId: id, idempotencyKey: 'close-account-0002' } };
    expect((await server().gql(CLOSE, close)).errors).toBeUndefined();
    const head = await server().ledger.events.headPosition();

    for (const as of [undefined, STRANGER]) {
      const retried = await server().gql(CLOSE, close, as);
      expect(retried.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    }
    expect(await server().ledger.events.headPosition()).toBe(head);
  });
});
