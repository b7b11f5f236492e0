import { parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationDepth } from '../../src/server/query-limits.js';
import { withTestServer } from './harness.js';

const depth = (text: string) => {
  const document = parse(text);
  return operationDepth(
    document,
    document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode,
  );
};

describe('query depth', () => {
  it('counts nested fields, through inline fragments and named fragments', () => {
    expect(depth('{ a }')).toBe(1);
    expect(depth('{ a { b { c } } d }')).toBe(3);
    expect(depth('{ a { ... on T { b { c } } } }')).toBe(3);
    expect(depth('{ a { ...F } } fragment F on T { b { c { d } } }')).toBe(4);
  });

  it('a fragment cycle counts as infinitely deep (validation refuses it first)', () => {
    expect(depth('{ ...A } fragment A on Q { a { ...B } } fragment B on Q { ...A }')).toBe(Infinity);
  });

  it('walks a fragment spread many times once', () => {
    const fragments = Array.from({ length: 40 }, (_, i) =>
      i === 0 ? 'fragment F0 on Q { a }' : `fragment F${i} on Q { ...F${i - 1} ...F${i - 1} }`,
    );
    expect(depth(`{ ...F39 } ${fragments.join(' ')}`)).toBe(1);
  });
});

describe('query cost', () => {
  it('a connection costs its selection once per item asked for: first: 100 of a wide selection is refused, first: 10 is not, each time', () =>
    withTestServer({ MAX_QUERY_COST: '1000' }, async (server) => {
      const query = `query($n: Int!) { offers(publisherId: "01890000-0000-7000-8000-000000000000", first: $n) {
        edges { cursor node { id name kind status version createdAt updatedAt supportContacts { name email telephone qq wechat weibo } } } } }`;
      const auditor = { role: 'auditor' as const };
      const wide = await server.gql(query, { n: 100 }, auditor);
      expect(wide.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COSTLY' } });
      const narrow = await server.gql(query, { n: 10 }, auditor);
      expect(narrow.errors).toBeUndefined();
      expect(narrow.data?.['offers']).toEqual({ edges: [] });
      // The measure is remembered per query text and page size, never across page sizes.
      expect((await server.gql(query, { n: 100 }, auditor)).errors?.[0]?.extensions).toEqual({
        code: 'QUERY_TOO_COSTLY',
      });
      expect((await server.gql(query, { n: 10 }, auditor)).errors).toBeUndefined();
    }));
});
