import { describe, expect, it } from 'vitest';
import { suiteServer, type TestServer } from './harness.js';

/**
 * With introspection off, a wrong name must not be answered with the right
 * one ("Did you mean …?"): anyone signed in could rebuild the schema one
 * guess at a time. Every kind of name, in the document and in variables.
 */
const MISSPELT: Array<[string, string, Record<string, unknown>?]> = [
  ['a field', '{ publishe(id: "x") { id } }'],
  ['a field of an object', '{ me { i } }'],
  ['an argument', '{ publisher(idd: "x") { id } }'],
  ['an enum value', '{ history(id: "x", kind: PUBLISHE) { totalCount } }'],
  [
    'an enum value in a variable',
    'query Q($k: HistorySubjectKind!) { history(id: "x", kind: $k) { totalCount } }',
    { k: 'PUBLISHE' },
  ],
  [
    'an input field',
    'mutation { registerPublisher(input: { companyNam: "x", registrationCode: "x", contact: { name: "a", telephone: "1", email: "a@b.cn" } }) { version } }',
  ],
  [
    'an input field in a variable',
    'mutation M($input: RegisterPublisherInput!) { registerPublisher(input: $input) { version } }',
    { input: { companyNam: 'x', registrationCode: 'x', contact: { name: 'a', telephone: '1', email: 'a@b.cn' } } },
  ],
  ['a type', 'query Q($k: HistorySubjectKin!) { history(id: "x", kind: $k) { totalCount } }', { k: 'PUBLISHER' }],
  ['a type in a fragment', '{ me { ...F } } fragment F on M { id }'],
];

describe('field suggestions follow introspection', () => {
  describe('production (introspection off)', () => {
    const server = suiteServer({ NODE_ENV: 'production' });
    it.each(MISSPELT)(
      'a misspelt name (%s) is refused without naming what it could have been',
      async (_kind, query, variables) => {
        const res = await server().gql(query, variables);
        expect(res.status).toBe(400);
        expect(res.errors?.length).toBeGreaterThan(0);
        for (const error of res.errors ?? []) {
          expect(error.message).not.toMatch(/did you mean/i);
          expect(['GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']).toContain(error.extensions?.['code']);
        }
        await expectStillServing(server());
      },
    );
  });

  describe('development (introspection on)', () => {
    const server = suiteServer({ INTROSPECTION: 'true' });
    it('suggestions help whoever may read the schema anyway', async () => {
      const res = await server().gql('{ publishe(id: "x") { id } }');
      expect(res.errors?.[0]?.message).toMatch(/Did you mean "publisher"\?/);
    });
  });
});

async function expectStillServing(server: TestServer): Promise<void> {
  expect((await server.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
}
