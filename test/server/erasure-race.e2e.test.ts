import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { aPublisher, postGraphql, REGISTER, suiteServer, type TestPrincipal } from './harness.js';

/*
 * Erasure is linearisable with writes: every erasure either precedes a write
 * (which then reads in clear) or follows it and erases it, and then the log
 * records it. Each round sends a write and, a millisecond or two later, an
 * erasure of the same person, over HTTP, and checks that the acknowledged
 * write is readable in the history unless a PersonalDataErased recorded
 * after it (a higher position in the same stream) covers it, and that an
 * erasure which says it erased someone recorded exactly that many erasures.
 */

const UPDATE = `mutation ($input: UpdatePublisherContactInput!) { updatePublisherContact(input: $input) { version position } }`;
const SUPPORT = `mutation ($input: UpdateOfferCustomerServiceInput!) { updateOfferCustomerService(input: $input) { version position } }`;
const ERASE = `mutation ($input: ErasePersonalDataInput!) { erasePersonalData(input: $input) { erasedCount position } }`;
const CLOSE = `mutation ($input: ClosePublisherAccountInput!) { closePublisherAccount(input: $input) { erasedCount position } }`;
const ADD = `mutation ($input: AddAadUserInput!) { addAadUser(input: $input) { version position publisher { aadUsers { accountId objectId } } } }`;
const REMOVE = `mutation ($input: RemoveAadUserInput!) { removeAadUser(input: $input) { version position } }`;
const CREATE_OFFER = `mutation ($input: CreateOfferInput!) { createOffer(input: $input) { version offer { id } } }`;
const HISTORY = `query ($kind: HistorySubjectKind!, $id: ID!) { history(kind: $kind, id: $id, first: 100) {
  edges { node { position revision eventType changes { field afterErased } } } } }`;

const auditor: TestPrincipal = { role: 'auditor' };
const ROUNDS = 10;

interface Node {
  position: string;
  revision: number;
  eventType: string;
  changes: Array<{ field: string; afterErased: boolean }>;
}
type Answer = {
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
};

describe('erasures racing writes of the same person, over HTTP', () => {
  const server = suiteServer();

  /** Posts without waiting for the read models, so the two requests really race. */
  async function post(query: string, variables: Record<string, unknown>, as?: TestPrincipal): Promise<Answer> {
    return postGraphql(server().url, query, variables, { authorization: `Bearer ${await server().token(as)}` });
  }

  async function history(kind: 'PUBLISHER' | 'OFFER', id: string): Promise<Node[]> {
    const res = await server().gql(HISTORY, { kind, id }, auditor);
    expect(res.errors).toBeUndefined();
    return res.data!['history'].edges.map((edge: { node: Node }) => edge.node);
  }

  /** In a stream's history: the write acknowledged at `position` reads in clear, or a PersonalDataErased recorded after it covers it. */
  function expectReadableOrErasedLater(nodes: readonly Node[], position: string, field: string): void {
    const write = nodes.find((node) => node.position === position);
    expect(write, `the acknowledged write at ${position} is in the history`).toBeDefined();
    const change = write!.changes.find((c) => c.field === field);
    expect(change).toBeDefined();
    if (!change!.afterErased) return;
    const laterErasure = nodes.some(
      (node) => node.eventType === 'PersonalDataErased' && BigInt(node.position) > BigInt(position),
    );
    expect(
      laterErasure,
      `the write acknowledged at ${position} reads as erased, so an erasure must be recorded after it`,
    ).toBe(true);
  }

  const erasuresIn = (nodes: readonly Node[]) => nodes.filter((node) => node.eventType === 'PersonalDataErased').length;

  /** Sends `write`, then `erase` after 0 to 2 ms (varied by round), and waits for both. */
  async function race(
    round: number,
    write: () => Promise<Answer>,
    erase: () => Promise<Answer>,
  ): Promise<[Answer, Answer]> {
    return Promise.all([write(), sleep(round % 3).then(erase)]);
  }

  const versionOf = async (kind: 'PUBLISHER' | 'OFFER', id: string) => (await history(kind, id)).at(-1)!.revision + 1;

  async function registered(): Promise<string> {
    const res = await server().gql(REGISTER, { input: aPublisher() });
    expect(res.errors).toBeUndefined();
    return res.data!['registerPublisher'].publisher.id;
  }

  async function offerWithSupport(publisherId: string): Promise<string> {
    const res = await server().gql(CREATE_OFFER, {
      input: { publisherId, name: 'Contoso VM', kind: 'VIRTUAL_MACHINE' },
    });
    const offerId: string = res.data!['createOffer'].offer.id;
    await server().gql(SUPPORT, {
      input: { id: offerId, expectedVersion: 1, supportContacts: [{ name: 'Desk', qq: '12345678' }] },
    });
    return offerId;
  }

  /**
   * Rounds of one write racing one erasure of the same person, in one stream:
   * the write is readable unless a later erasure is recorded, and the erasure
   * recorded as many erasures as it says it erased.
   */
  async function raceRounds(
    kind: 'PUBLISHER' | 'OFFER',
    id: string,
    field: string,
    write: (round: number, expectedVersion: number) => Promise<Answer>,
    erase: () => Promise<Answer>,
  ): Promise<void> {
    let nodes = await history(kind, id);
    for (let round = 0; round < ROUNDS; round++) {
      const before = erasuresIn(nodes);
      const [written, erased] = await race(round, () => write(round, nodes.at(-1)!.revision + 1), erase);
      expect(erased.errors, JSON.stringify(erased.errors)).toBeUndefined();
      nodes = await history(kind, id);
      if (written.errors) expect(written.errors[0]?.extensions?.['code']).toBe('CONFLICT');
      else
        expectReadableOrErasedLater(nodes, (Object.values(written.data!)[0] as { position: string }).position, field);
      const recorded = erasuresIn(nodes) - before;
      expect(recorded, `round ${round}: erasedCount is what was recorded`).toBe(
        erased.data!['erasePersonalData'].erasedCount,
      );
    }
  }

  it('CONTACT: an update is never lost to an erasure that did not record it', async () => {
    const id = await registered();
    await raceRounds(
      'PUBLISHER',
      id,
      'contact.name',
      (round, expectedVersion) => post(UPDATE, { input: { id, expectedVersion, contact: { name: `Round ${round}` } } }),
      () => post(ERASE, { input: { publisherId: id, target: 'CONTACT' } }),
    );
  });

  it('OFFER_SUPPORT: a new list of customer-service contacts is never lost to an erasure that did not record it', async () => {
    const publisherId = await registered();
    const offerId = await offerWithSupport(publisherId);
    await raceRounds(
      'OFFER',
      offerId,
      'supportContacts.0.name',
      (round, expectedVersion) =>
        post(SUPPORT, {
          input: { id: offerId, expectedVersion, supportContacts: [{ name: `Desk ${round}`, qq: '12345678' }] },
        }),
      () => post(ERASE, { input: { publisherId, target: 'OFFER_SUPPORT', offerId } }),
    );
  });

  it('AAD_ACCOUNT: erasing a removed account erases all of it and never takes a concurrent contact update with it', async () => {
    const id = await registered();
    for (let round = 0; round < ROUNDS / 2; round++) {
      const objectId = `7a1e0000-0000-4000-8000-${String(round).padStart(12, '0')}`;
      const added = await server().gql(ADD, {
        input: {
          id,
          expectedVersion: await versionOf('PUBLISHER', id),
          objectId,
          userPrincipalName: `u${round}@contoso.cn`,
          displayName: `User ${round}`,
        },
      });
      const accountId: string = added.data!['addAadUser'].publisher.aadUsers.find(
        (u: { objectId: string }) => u.objectId === objectId,
      ).accountId;
      const removed = await server().gql(REMOVE, {
        input: { id, expectedVersion: added.data!['addAadUser'].version, objectId },
      });
      const version: number = removed.data!['removeAadUser'].version;
      const [update, erase] = await race(
        round,
        () => post(UPDATE, { input: { id, expectedVersion: version, contact: { email: `round${round}@contoso.cn` } } }),
        () => post(ERASE, { input: { publisherId: id, target: 'AAD_ACCOUNT', accountId } }),
      );
      expect(erase.errors).toBeUndefined();
      expect(erase.data!['erasePersonalData'].erasedCount).toBe(1);
      const nodes = await history('PUBLISHER', id);
      const addition = nodes.find(
        (node) =>
          node.eventType === 'AadUserAdded' && node.changes.some((c) => c.field.startsWith(`aadUsers.${accountId}.`)),
      );
      const personal = addition!.changes.filter((c) => /\.(objectId|userPrincipalName|displayName)$/.test(c.field));
      expect(personal).toHaveLength(3);
      expect(personal.every((c) => c.afterErased)).toBe(true);
      if (update.errors) {
        expect(update.errors[0]?.extensions?.['code']).toBe('CONFLICT');
        continue;
      }
      // no contact erasure is ever sent here: the contact must read in clear
      const write = nodes.find((node) => node.position === update.data!['updatePublisherContact'].position);
      expect(write!.changes.find((c) => c.field === 'contact.email')).toEqual({
        field: 'contact.email',
        afterErased: false,
      });
    }
  });

  it('account closure: an update acknowledged before the closure is erased by it, never one after it', async () => {
    for (let round = 0; round < ROUNDS / 2; round++) {
      const id = await registered();
      const offerId = await offerWithSupport(id);
      const [publisherVersion, offerVersion] = [await versionOf('PUBLISHER', id), await versionOf('OFFER', offerId)];
      const [[update, support], close] = await Promise.all([
        Promise.all([
          post(UPDATE, { input: { id, expectedVersion: publisherVersion, contact: { name: `Round ${round}` } } }),
          post(SUPPORT, {
            input: {
              id: offerId,
              expectedVersion: offerVersion,
              supportContacts: [{ name: `Desk ${round}`, qq: '12345678' }],
            },
          }),
        ]),
        sleep(round % 3).then(() => post(CLOSE, { input: { publisherId: id } })),
      ]);
      expect(close.errors).toBeUndefined();
      const nodes = await history('PUBLISHER', id);
      if (!update.errors)
        expectReadableOrErasedLater(nodes, update.data!['updatePublisherContact'].position, 'contact.name');
      if (!support.errors)
        expectReadableOrErasedLater(
          await history('OFFER', offerId),
          support.data!['updateOfferCustomerService'].position,
          'supportContacts.0.name',
        );
      // closed: everything is erased, and every erasure is recorded
      expect(nodes.at(-1)!.eventType).toBe('PublisherAccountClosed');
      for (const node of nodes)
        for (const change of node.changes)
          if (change.field.startsWith('contact.')) expect(change.afterErased).toBe(true);
    }
  });
});
