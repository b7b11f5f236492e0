// The baseline: a bare Apollo Server (standalone) whose publisher resolver
// answers a fixed object of the same shape and size as ours.
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const typeDefs = /* GraphQL */ `
  type ContactDetails { name: String telephone: String email: String }
  type Publisher { id: ID! companyName: String! contact: ContactDetails! version: Int! registeredAt: String! updatedAt: String! }
  type Query { publisher(id: ID!, minPosition: String): Publisher }
`;
const fixed = {
  id: '01a2047b-653f-755b-abf1-4e2e38bef69d',
  companyName: 'Contoso China',
  contact: { name: 'Li Lei', telephone: '+8613800138000', email: 'li.lei@contoso.cn' },
  version: 1,
  registeredAt: '2026-11-22T10:00:00.000Z',
  updatedAt: '2026-11-22T10:00:00.000Z',
};
const server = new ApolloServer({ typeDefs, resolvers: { Query: { publisher: () => fixed } } });
const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
process.send!({ url, id: fixed.id });
process.on('disconnect', () => void server.stop());
