// The baseline: a bare Apollo Server (standalone) whose resolvers answer
// fixed objects of the same shape and size as ours.
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const typeDefs = /* GraphQL */ `
  type ContactDetails {
    name: String
    telephone: String
    email: String
  }
  type AadUser {
    objectId: ID
    userPrincipalName: String
    displayName: String
  }
  type Publisher {
    id: ID!
    companyName: String!
    contact: ContactDetails!
    version: Int!
    registeredAt: String!
    updatedAt: String!
    aadUsers: [AadUser!]!
  }
  type SupportContact {
    name: String
    qq: String
    email: String
  }
  type Offer {
    id: ID!
    name: String!
    kind: String!
    status: String!
    supportContacts: [SupportContact!]!
  }
  type OfferEdge {
    node: Offer!
    cursor: String!
  }
  type OfferConnection {
    totalCount: Int!
    edges: [OfferEdge!]!
  }
  type PublisherPayload {
    version: Int!
    position: String!
    publisher: Publisher!
  }
  input ContactPatchInput {
    name: String
    telephone: String
    email: String
  }
  input UpdatePublisherContactInput {
    id: ID!
    expectedVersion: Int!
    contact: ContactPatchInput
  }
  type Query {
    publisher(id: ID!, minPosition: String): Publisher
    offers(publisherId: ID!, first: Int): OfferConnection!
  }
  type Mutation {
    updatePublisherContact(input: UpdatePublisherContactInput!): PublisherPayload!
  }
`;
const publisher = {
  id: '01a2047b-653f-755b-abf1-4e2e38bef69d',
  companyName: 'Contoso China',
  contact: { name: 'Li Lei', telephone: '+8613800138000', email: 'li.lei@contoso.cn' },
  version: 1,
  registeredAt: '2026-11-22T10:00:00.000Z',
  updatedAt: '2026-11-22T10:00:00.000Z',
  aadUsers: [
    { objectId: '11111111-2222-4333-8444-555555555555', userPrincipalName: 'li.lei@contoso.cn', displayName: 'Li Lei' },
  ],
};
const offers = {
  totalCount: 50,
  // ids and cursors as long as ours (uuid v7 ids, base64url keyset cursors)
  edges: Array.from({ length: 50 }, (_, i) => {
    const id = `01a204b3-3f50-7594-a60b-${String(i).padStart(12, '0')}`;
    const cursor = Buffer.from(
      JSON.stringify({ s: 'createdAt:desc,id:asc', v: ['2026-11-22T10:00:00.000Z', id] }),
    ).toString('base64url');
    return {
      cursor,
      node: {
        id,
        name: `Offer ${i}`,
        kind: 'VIRTUAL_MACHINE',
        status: 'DRAFT',
        supportContacts: [{ name: 'Support Desk', qq: `${10000 + i}`, email: 'help@contoso.cn' }],
      },
    };
  }),
};
const server = new ApolloServer({
  typeDefs,
  resolvers: {
    Query: { publisher: () => publisher, offers: () => offers },
    Mutation: { updatePublisherContact: () => ({ version: 2, position: '42', publisher }) },
  },
});
const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
process.send!({ url, id: publisher.id, editable: Array.from({ length: 20 }, () => publisher.id) });
process.on('disconnect', () => void server.stop());
