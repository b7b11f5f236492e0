import { ApolloServerErrorCode } from '@apollo/server/errors';
import { describe, expect, it } from 'vitest';
import { ERROR_CODE_NAMES, REQUEST_CODES } from '../src/error-codes.js';

describe('the error codes, declared once', () => {
  it('declares every code Apollo raises, so none of them reaches a client as an undocumented code', () => {
    for (const code of Object.values(ApolloServerErrorCode)) expect(ERROR_CODE_NAMES).toContain(code);
  });

  it("shows Apollo's and the query limits' refusals as they are, and nothing unexpected", () => {
    expect([...REQUEST_CODES].sort()).toEqual(
      [
        ...Object.values(ApolloServerErrorCode).filter((code) => code !== 'INTERNAL_SERVER_ERROR'),
        'QUERY_TOO_DEEP',
        'QUERY_TOO_COSTLY',
      ].sort(),
    );
  });
});
