import 'reflect-metadata';
import type { GraphQLResolveInfo } from 'graphql';
import { buildSchema } from 'type-graphql';
import { describe, expect, it } from 'vitest';
import { appResolvers } from '../../src/schema/build-schema.js';
import { callResolversDirectly } from '../../src/schema/direct-resolvers.js';

const resolvers = appResolvers;

describe('root fields call their resolvers directly', () => {
  it("every query and mutation of the schema bypasses type-graphql's per-call wrapper (a new resolver that cannot is caught here)", async () => {
    const schema = await buildSchema({ resolvers, validate: false });
    const roots = [schema.getQueryType()!, schema.getMutationType()!];
    const before = new Map(
      roots.flatMap((root) =>
        Object.values(root.getFields()).map((field) => [`${root.name}.${field.name}`, field.resolve] as const),
      ),
    );
    callResolversDirectly(schema, resolvers);
    const kept = roots.flatMap((root) =>
      Object.values(root.getFields())
        .filter((field) => field.resolve === before.get(`${root.name}.${field.name}`))
        .map((field) => `${root.name}.${field.name}`),
    );
    expect(kept).toEqual([]);
  });

  it("hands the resolver graphql-js's coerced input as it is, and the context, and returns what the resolver returns", async () => {
    const schema = callResolversDirectly(await buildSchema({ resolvers, validate: false }), resolvers);
    const received: unknown[] = [];
    const publisher = {
      id: 'p-1',
      companyName: 'Contoso',
      contact: { name: 'Li Lei' },
      contactPreferences: {},
      aadUsers: [],
    };
    const ctx = {
      command: { actor: { id: 'a', kind: 'user' }, correlationId: 'c' },
      services: {
        publishers: {
          updateContact: async (input: unknown, command: unknown) => {
            received.push(input, command);
            return { publisher, version: 3, position: 42, appended: [] };
          },
        },
      },
    };
    const input = { id: 'p-1', expectedVersion: 2, contact: { name: 'Li Lei' } };
    const resolve = schema.getMutationType()!.getFields()['updatePublisherContact']!.resolve!;
    const payload = await resolve(undefined, { input }, ctx, {} as GraphQLResolveInfo);
    expect(received[0]).toBe(input);
    expect(received[1]).toBe(ctx.command);
    expect(payload).toMatchObject({
      version: 3,
      position: '42',
      publisher: { id: 'p-1', contact: { name: 'Li Lei' } },
    });
  });
});
