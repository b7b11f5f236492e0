import { describe, expect, it } from 'vitest';
import { aPublisher, REGISTER, suiteServer, UPDATE } from './harness.js';

const ERASE = `mutation ($input: ErasePersonalDataInput!) { erasePersonalData(input: $input) { subjects erasedCount position } }`;
const READ = `query ($id: ID!, $minPosition: String) { publisher(id: $id, minPosition: $minPosition) { version contact { name telephone email erased } } }`;

/**
 * Found by the model test (test/model/): erase the contact with an
 * idempotency key, write a new contact name, then retry the erasure with
 * the same key (a client whose first answer was lost). The retry answers
 * the first erasure, as it should, but destroys the contact's key again,
 * and with it the name acknowledged after the erasure: an acknowledged
 * write is lost and no erasure after it is recorded.
 */
describe('a retried erasure', () => {
  const server = suiteServer();

  it('answers the first erasure and leaves a contact written since readable', async () => {
    const registered = await server().gql(REGISTER, { input: aPublisher({ registrationCode: '91350100M000100Y43' }) });
    const id: string = registered.data!['registerPublisher'].publisher.id;
    const erase = { input: { publisherId: id, target: 'CONTACT', idempotencyKey: 'erase-contact-0001' } };
    const first = await server().gql(ERASE, erase);
    expect(first.errors).toBeUndefined();
    const edited = await server().gql(UPDATE, { input: { id, expectedVersion: 2, contact: { name: 'Han Meimei' } } });
    expect(edited.errors).toBeUndefined();

    const retried = await server().gql(ERASE, erase);
    expect(retried.data).toEqual(first.data);

    const read = await server().gql(READ, { id, minPosition: edited.data!['updatePublisherContact'].position });
    expect(read.data!['publisher'].contact).toMatchObject({ name: 'Han Meimei' });
  });
});
