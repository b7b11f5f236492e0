/**
 * Every `extensions.code` the service answers with, declared once. The
 * domain's errors (src/errors.ts), the transport (src/server/http-server.ts),
 * the query limits and the error formatter name their codes from here, and
 * docs/api.md's error table is generated from it (`npm run docs:tables`).
 * A code is public API: clients branch on it, so none is renamed or reused.
 */
interface ErrorCodeSpec {
  /**
   * The HTTP status of an answer this code refuses as a whole (before any
   * resolver ran, or the transport's); an error beside data in a GraphQL
   * answer comes with 200. Absent: only ever beside data, or as Apollo answers it.
   */
  status?: number;
  /** A refusal of the request itself by Apollo, graphql-js or the query limits: its message is safe to show as is. */
  request?: true;
  /** what it means, for the docs (markdown, one line) */
  meaning: string;
}

export const ERROR_CODES = {
  // Raised by the domain and the services (src/errors.ts).
  BAD_USER_INPUT: {
    status: 400,
    request: true,
    meaning: 'an input breaks a rule, or a variable has the wrong type: `field` and `rule` say which (never the value)',
  },
  UNAUTHENTICATED: {
    status: 401,
    meaning: 'no valid bearer token (one message whatever the reason); with `WWW-Authenticate: Bearer`',
  },
  FORBIDDEN: {
    status: 403,
    meaning: 'the principal may not run this operation or read this field; `operation` names it',
  },
  NOT_FOUND: { status: 404, meaning: 'no such publisher, offer or record (`what`), or a path other than `/graphql`' },
  CONFLICT: {
    meaning: 'the stream moved on since the client read it: `expectedVersion` is stale; read again, then retry',
  },
  TIMEOUT: {
    meaning:
      'a wait for the read models ran out: a read-your-writes wait (`minPosition`), or a read of a model still catching up after the server started (the message names it); retry',
  },
  // Raised by the error formatter (src/server/format-error.ts).
  UNAVAILABLE: {
    status: 503,
    meaning: 'the disk is full or an I/O error stopped a write: nothing was written; retry after `Retry-After`',
  },
  INTERNAL_SERVER_ERROR: { status: 500, meaning: 'anything unexpected: no message, no stack (the server logs it)' },
  // Raised by Apollo and graphql-js (Apollo's ApolloServerErrorCode; test/error-codes.test.ts checks that none is missing).
  GRAPHQL_PARSE_FAILED: {
    status: 400,
    request: true,
    meaning: 'the document is not GraphQL, or has more than `MAX_QUERY_TOKENS` tokens',
  },
  GRAPHQL_VALIDATION_FAILED: {
    status: 400,
    request: true,
    meaning: 'the document does not fit the schema (or introspects while introspection is off)',
  },
  BAD_REQUEST: {
    status: 400,
    request: true,
    meaning:
      'malformed JSON, a request a browser could send cross-site without a preflight (CSRF prevention), or no query',
  },
  OPERATION_RESOLUTION_FAILURE: {
    status: 400,
    request: true,
    meaning: '`operationName` names no operation of the document',
  },
  PERSISTED_QUERY_NOT_FOUND: {
    request: true,
    meaning:
      'an automatic persisted query this server does not know (yet, or any more: a text unused for `CACHE_IDLE_SECONDS` is forgotten): send it with its document',
  },
  PERSISTED_QUERY_NOT_SUPPORTED: {
    request: true,
    meaning: 'persisted queries are turned off (they are on in this service)',
  },
  // Raised by the query limits, before any resolver (src/server/query-limits.ts).
  QUERY_TOO_DEEP: { status: 400, request: true, meaning: 'fields nested deeper than `MAX_QUERY_DEPTH`' },
  QUERY_TOO_COSTLY: {
    status: 400,
    request: true,
    meaning: 'estimated cost above `MAX_QUERY_COST`, or more privacy request records than one request may append',
  },
  // Raised by the transport, before Apollo sees the request (src/server/http-server.ts, connection-limits.ts).
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'a body larger than `MAX_BODY_BYTES`' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'a POST body that is not `content-type: application/json`' },
  BATCHING_DISABLED: { status: 400, meaning: 'a batch (JSON array body) while `MAX_BATCH_OPERATIONS` is 0' },
  BATCH_TOO_LARGE: { status: 400, meaning: 'a batch of more than `MAX_BATCH_OPERATIONS` operations' },
  RATE_LIMITED: { status: 429, meaning: "the client's rate limit or connection cap is reached; with `Retry-After`" },
  CORS_ORIGIN_REFUSED: { status: 403, meaning: 'a browser origin that is not in `CORS_ORIGINS`' },
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes that always refuse the whole request with one HTTP status (the transport's, for one). */
export type CodeWithStatus = {
  [K in ErrorCode]: (typeof ERROR_CODES)[K] extends { status: number } ? K : never;
}[ErrorCode];

export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as ErrorCode[];

/** Codes whose message (Apollo's, graphql-js's or the limits') is shown as it is. */
export const REQUEST_CODES: ReadonlySet<string> = new Set(
  ERROR_CODE_NAMES.filter((code) => 'request' in ERROR_CODES[code]),
);

export const statusOf = (code: CodeWithStatus): number => ERROR_CODES[code].status;

/** The body of an answer refused outside GraphQL execution, shaped as a GraphQL error so clients read one shape. */
export function errorBody(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
  return { errors: [{ message, extensions: { code, ...details } }] };
}
