import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { REQUEST_CODES, type ErrorCode } from '../error-codes.js';
import { DomainError } from '../errors.js';
import { isStorageError } from './storage-health.js';
import { variableProblem } from './variable-errors.js';

/**
 * Every error leaves with a stable code and no internals. Domain errors keep
 * their message (which by construction names fields and rules, never
 * values); request errors (REQUEST_CODES: Apollo's, graphql-js's, the query limits') keep graphql-js's message, without the value of
 * a variable it could not coerce, with its `field` and `rule` (src/server/variable-errors.ts); a storage error (disk full)
 * becomes UNAVAILABLE; anything else becomes a
 * generic INTERNAL_SERVER_ERROR and is reported through `onInternal`.
 * Never throws.
 */
export function createErrorFormatter(onInternal: (error: unknown) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const unwrapped = unwrapResolverError(error);
    // An error raised while building the context (no valid token) arrives wrapped, without a path.
    const original =
      unwrapped instanceof GraphQLError && unwrapped.originalError instanceof DomainError
        ? unwrapped.originalError
        : unwrapped;
    const base = {
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
    };
    if (original instanceof DomainError) {
      return { ...base, message: original.message, extensions: { code: original.code, ...original.details } };
    }
    const code = formatted.extensions?.['code'];
    if (typeof code === 'string' && REQUEST_CODES.has(code)) {
      const reason = (original as { originalError?: unknown } | null)?.originalError;
      const problem = variableProblem(formatted.message, reason instanceof Error ? reason.message : undefined);
      if (problem) {
        // A variable of the wrong type is bad input too: the field inside the variable and the rule, as for every BAD_USER_INPUT.
        const { message, field, rule } = problem;
        return { ...base, message, extensions: code === 'BAD_USER_INPUT' ? { code, field, rule } : { code } };
      }
      return { ...base, message: formatted.message, extensions: { code } };
    }
    // Disk full or an I/O error: nothing was written, and retrying later is the answer (HTTP 503: src/server/storage-health.ts).
    if (isStorageError(original)) {
      return {
        ...base,
        message: 'The change could not be stored right now and was not made: retry later',
        extensions: { code: 'UNAVAILABLE' satisfies ErrorCode },
      };
    }
    onInternal(original);
    return {
      ...base,
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' satisfies ErrorCode },
    };
  };
}
