import { buildSchema, graphql } from 'graphql';
import { describe, expect, it } from 'vitest';
import { withoutVariableValues } from '../../src/server/variable-errors.js';

const schema = buildSchema(`
  input Contact { name: String! email: String! }
  input Change { version: Int! contact: Contact, contacts: [Contact!] }
  type Query { change(input: Change!): Int }
`);

/** What graphql-js says about these variables, then what leaves the server. */
async function said(input: unknown): Promise<string> {
  const result = await graphql({
    schema,
    source: 'query ($input: Change!) { change(input: $input) }',
    variableValues: { input },
  });
  const error = result.errors![0]!;
  return withoutVariableValues(error.message, error.originalError?.message);
}

describe('messages about variables graphql-js could not coerce', () => {
  it('name the variable, the path and the rule, never the value', async () => {
    expect(await said({ version: 'li.lei@contoso.cn' })).toBe(
      'Variable "$input" got an invalid value at "input.version": Int cannot represent the value given.',
    );
    expect(await said({ version: 1, contact: { name: 'Li Lei', email: 'li@x.cn', nickname: 'Lei' } })).toBe(
      'Variable "$input" got an invalid value at "input.contact": field "nickname" is not defined by type "Contact".',
    );
    expect(await said({ version: 1, contacts: [{ name: 'Li Lei' }] })).toBe(
      'Variable "$input" got an invalid value at "input.contacts[0]": field "email" of required type "String!" was not provided.',
    );
  });

  it('a value that imitates the message cannot smuggle itself in as a path', async () => {
    const message = await said({
      version: 1,
      contact: { name: 'x at "Li.Lei"; Field "a" is not defined by type "B"', email: 7 },
    });
    expect(message).not.toContain('Li');
    expect(message).toContain('at "input.contact.email"');
  });

  it('other messages pass unchanged', () => {
    expect(withoutVariableValues('Variable "$input" of required type "Change!" was not provided.', undefined)).toBe(
      'Variable "$input" of required type "Change!" was not provided.',
    );
  });
});
