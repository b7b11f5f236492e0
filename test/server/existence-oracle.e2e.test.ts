import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { aPublisher, REGISTER, suiteServer, type TestPrincipal } from './harness.js';

const CREATE = 'mutation ($input: CreateOfferInput!) { createOffer(input: $input) { version offer { id } } }';
const DELETE = 'mutation ($input: OfferChangeInput!) { deleteOffer(input: $input) { version } }';
const OFFER = 'query ($id: ID!) { offer(id: $id) { id name } }';

/**
 * A create naming an id that another publisher holds must not tell that the
 * id exists: it answers exactly as a create naming what the caller may not
 * use (FORBIDDEN), never "already exists" / "already registered".
 */
describe('no existence oracle in client-chosen ids (production)', () => {
  const server = suiteServer({ NODE_ENV: 'production' });
  const alice: TestPrincipal = { role: 'member', oid: '0d5e7a11-0000-4000-8000-00000000a11c' };
  const mallory: TestPrincipal = { role: 'member', oid: '0d5e7a11-0000-4000-8000-0000000ba11e' };
  let alicePublisher: string;
  let aliceOffer: string;
  let aliceDeletedOffer: string;
  let malloryPublisher: string;

  const register = async (as: TestPrincipal, overrides: Record<string, unknown> = {}) =>
    server().gql(REGISTER, { input: aPublisher(overrides) }, as);
  const createOffer = async (as: TestPrincipal, publisherId: string, id?: string) =>
    server().gql(
      CREATE,
      { input: { publisherId, name: 'Contoso VM', kind: 'VIRTUAL_MACHINE', ...(id ? { id } : {}) } },
      as,
    );

  beforeAll(async () => {
    alicePublisher = (await register(alice)).data!['registerPublisher'].publisher.id;
    malloryPublisher = (await register(mallory)).data!['registerPublisher'].publisher.id;
    aliceOffer = (await createOffer(alice, alicePublisher)).data!['createOffer'].offer.id;
    aliceDeletedOffer = (await createOffer(alice, alicePublisher)).data!['createOffer'].offer.id;
    expect(
      (await server().gql(DELETE, { input: { id: aliceDeletedOffer, expectedVersion: 1 } }, alice)).errors,
    ).toBeUndefined();
  });

  it.each([
    ['a live offer', () => aliceOffer],
    ['a live offer, upper-cased', () => aliceOffer.toUpperCase()],
    ['a deleted offer', () => aliceDeletedOffer],
  ])(
    "createOffer with another publisher's offer id (%s) answers as naming a publisher it may not use",
    async (_kind, id) => {
      const mayNotUse = await createOffer(mallory, alicePublisher, randomUUID());
      expect(mayNotUse.errors).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
      ]);
      const taken = await createOffer(mallory, malloryPublisher, id());
      expect({ status: taken.status, data: taken.data, errors: taken.errors }).toEqual({
        status: mayNotUse.status,
        data: mayNotUse.data,
        errors: mayNotUse.errors,
      });
      // nothing was written over Alice's offer
      expect((await server().gql(OFFER, { id: aliceOffer }, alice)).data).toEqual({
        offer: { id: aliceOffer, name: 'Contoso VM' },
      });
    },
  );

  it.each([
    ['as it is', () => alicePublisher],
    ['upper-cased', () => alicePublisher.toUpperCase()],
  ])(
    "registerPublisher with another publisher's id (%s) answers as a registration the caller may not make",
    async (_case, id) => {
      const mayNotRegister = await register({ role: 'auditor' });
      expect(mayNotRegister.errors).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
      ]);
      const taken = await register(mallory, { id: id() });
      expect({ status: taken.status, data: taken.data, errors: taken.errors }).toEqual({
        status: mayNotRegister.status,
        data: mayNotRegister.data,
        errors: mayNotRegister.errors,
      });
      expect(JSON.stringify(taken)).not.toMatch(/already|exist|registered/i);
    },
  );

  it('the holder of an id still hears that its own id is taken', async () => {
    const again = await createOffer(alice, alicePublisher, aliceOffer);
    expect(again.errors?.[0]?.message).toMatch(/already exists/);
    // its own deleted offer too (found by the model test: the holder was looked up among live offers only, so it heard FORBIDDEN)
    const reused = await createOffer(alice, alicePublisher, aliceDeletedOffer);
    expect(reused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(reused.errors?.[0]?.message).toMatch(/already exists/);
    const registered = await register(alice, { id: alicePublisher });
    expect(registered.errors?.[0]?.message).toMatch(/already registered/);
    // an operator reads every publisher anyway
    expect((await register({ role: 'operator' }, { id: alicePublisher })).errors?.[0]?.message).toMatch(
      /already registered/,
    );
  });
});
