import 'reflect-metadata';
import { buildSchema } from 'type-graphql';
import { describe, expect, it } from 'vitest';
import { enforcePermissions } from '../../src/auth/authorize.js';
import { recordViews } from '../../src/resolvers/read-audit.js';
import { appResolvers, buildAppSchema } from '../../src/schema/build-schema.js';
import { callResolversDirectly } from '../../src/schema/direct-resolvers.js';
import { assertResolverChain } from '../../src/schema/resolver-chain.js';

const fresh = () => buildSchema({ resolvers: appResolvers, validate: false });

describe('the resolver chain: direct call, view recording, permission guard outermost', () => {
  it('the service schema starts with every root and personal field behind its guard', async () => {
    await expect(buildAppSchema()).resolves.toBeDefined();
  });

  it('a step that replaces resolvers after the guard (as an upgrade might) stops start-up, naming the field', async () => {
    const schema = enforcePermissions(recordViews(await fresh()));
    callResolversDirectly(schema, appResolvers);
    expect(() => assertResolverChain(schema)).toThrow(/Mutation\.updatePublisherContact is not guarded/);
  });

  it('recording views outside the guard (a read recorded before the permission is checked) stops start-up', async () => {
    const schema = recordViews(enforcePermissions(callResolversDirectly(await fresh(), appResolvers)));
    expect(() => assertResolverChain(schema)).toThrow(
      /Publisher\.contact does not record its views inside its permission guard/,
    );
  });

  it('a schema never guarded stops start-up', async () => {
    const schema = callResolversDirectly(await fresh(), appResolvers);
    expect(() => assertResolverChain(schema)).toThrow(/Query\.publisher is not guarded/);
  });
});
