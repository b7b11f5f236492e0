import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AadUserResolver } from '../resolvers/aad-user.resolver.js';
import { AnalystResolver } from '../resolvers/analyst.resolver.js';
import { HistoryResolver } from '../resolvers/history.resolver.js';
import { OfferResolver } from '../resolvers/offer.resolver.js';
import { PrivacyRequestResolver } from '../resolvers/privacy-request.resolver.js';
import { PublisherResolver } from '../resolvers/publisher.resolver.js';

/** The whole GraphQL schema. `npm run schema` writes it to schema.graphql. */
export function buildAppSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [PublisherResolver, AadUserResolver, OfferResolver, PrivacyRequestResolver, HistoryResolver, AnalystResolver],
    validate: false,
  });
}
