import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AccessGrantResolver } from '../resolvers/access-grant.resolver.js';
import { MeResolver } from '../resolvers/me.resolver.js';
import { AadUserResolver } from '../resolvers/aad-user.resolver.js';
import { ContactListResolver } from '../resolvers/contact-list.resolver.js';
import { DisclosureResolver } from '../resolvers/disclosure.resolver.js';
import { ErasureResolver } from '../resolvers/erasure.resolver.js';
import { AnalystResolver } from '../resolvers/analyst.resolver.js';
import { HistoryResolver } from '../resolvers/history.resolver.js';
import { AuditResolver } from '../resolvers/audit.resolver.js';
import { IntegrityResolver } from '../resolvers/integrity.resolver.js';
import { OfferResolver } from '../resolvers/offer.resolver.js';
import { PrivacyRequestResolver } from '../resolvers/privacy-request.resolver.js';
import { PublisherResolver } from '../resolvers/publisher.resolver.js';
import { wireResolvers } from './resolver-chain.js';

/**
 * The whole GraphQL schema, with src/auth/permissions.ts enforced on every
 * operation and personal field, and views of personal data recorded
 * (src/resolvers/read-audit.ts); root fields call their resolvers directly
 * (./direct-resolvers.ts), in the order ./resolver-chain.ts proves. `npm run schema` writes it to schema.graphql.
 */
export async function buildAppSchema(): Promise<GraphQLSchema> {
  return wireResolvers(await buildSchema({ resolvers: appResolvers, validate: false }), appResolvers);
}

/** Every resolver class of the schema. */
export const appResolvers = [
  MeResolver,
  PublisherResolver,
  AadUserResolver,
  OfferResolver,
  PrivacyRequestResolver,
  HistoryResolver,
  AuditResolver,
  IntegrityResolver,
  ErasureResolver,
  AnalystResolver,
  DisclosureResolver,
  ContactListResolver,
  AccessGrantResolver,
] as const;
