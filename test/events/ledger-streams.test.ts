import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LEDGER_STREAM_PREFIXES } from '../../src/events/ledger-streams.js';
import { SqliteEventStore } from '../../src/events/store/sqlite/sqlite-event-store.js';
import { embeddedFiles } from '../../src/server/ledger.js';
import { aPublisher, openAccessGrant, REGISTER, startTestServer, tempDataDir, UPDATE } from '../server/harness.js';

const CREATE_OFFER = `mutation ($input: CreateOfferInput!) { createOffer(input: $input) { position } }`;
const RECORDS = `query ($publisherId: ID!, $p: String) { privacyRequests(publisherId: $publisherId, minPosition: $p) { edges { node { id } } } }`;
const DELETE_RECORD = `mutation ($id: ID!) { deletePrivacyRequestRecord(id: $id) { position } }`;
const DISCLOSE = `mutation ($input: RecordDisclosureInput!) { recordDisclosure(input: $input) { position } }`;
const CONTACT_LIST = `mutation { contactList(purpose: BILLING, channel: EMAIL) { position } }`;

// On KurrentDB the ledger's log is $all filtered on these prefixes: a stream
// the services write outside them would never reach a projection there.
describe('the streams the ledger writes', () => {
  it('every stream written by publishers, registration code claims, offers, privacy records, disclosures, contact lists and access grants starts with one of the ledger stream prefixes', async () => {
    const data = tempDataDir();
    const server = await startTestServer(data.dir);
    try {
      const registered = await server.gql(REGISTER, { input: aPublisher() });
      const publisherId = registered.data!['registerPublisher'].publisher.id;
      await server.gql(CREATE_OFFER, { input: { publisherId, name: 'Contoso VM', kind: 'VIRTUAL_MACHINE' } });
      const updated = await server.gql(UPDATE, {
        input: { id: publisherId, expectedVersion: 1, contact: { name: 'Han Meimei' } },
      });
      const records = await server.gql(RECORDS, { publisherId, p: updated.data!['updatePublisherContact'].position });
      const deleted = await server.gql(DELETE_RECORD, { id: records.data!['privacyRequests'].edges[0].node.id });
      expect(deleted.errors).toBeUndefined();
      const disclosed = await server.gql(
        DISCLOSE,
        {
          input: {
            publisherId,
            recipientName: 'Shanghai court',
            recipientCountry: 'CN',
            fields: ['contact person email'],
            legalBasis: 'COMPELLED_BY_LAW',
            notice: { notified: true },
          },
        },
        { role: 'operator' },
      );
      expect(disclosed.errors).toBeUndefined();
      expect((await server.gql(CONTACT_LIST, {}, { role: 'operator' })).errors).toBeUndefined();
      await openAccessGrant(server, { role: 'operator' }, publisherId);
    } finally {
      await server.close();
    }
    const log = SqliteEventStore.open(path.join(data.dir, embeddedFiles.events));
    const streams = new Set((await log.readAll()).map((e) => e.streamId));
    await log.close();
    data.remove();
    const prefixOf = (stream: string) => LEDGER_STREAM_PREFIXES.find((prefix) => stream.startsWith(prefix));
    expect([...streams].filter((stream) => prefixOf(stream) === undefined)).toEqual([]);
    expect(new Set([...streams].map(prefixOf)).size).toBe(LEDGER_STREAM_PREFIXES.length);
  });
});
