import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { Logger } from 'pino';
import { errorBody, statusOf, type CodeWithStatus, type ErrorCode } from '../error-codes.js';
import { capConnectionsPerAddress, serverOptions, type ConnectionLimits } from './connection-limits.js';
import { describeError, observeRequest, RequestRecord, requestIdOf, type ServiceMetrics } from './metrics.js';
import type { RateLimiter } from './rate-limit.js';
import type { Readiness } from './readiness.js';

export interface HttpOptions<Context extends object> {
  apollo: ApolloServer<Context>;
  /** `record`: the request's id and logger, where the context reports a refused token */
  context(req: IncomingMessage, record: RequestRecord): Promise<Context>;
  /** /readyz answers 200 only while `status` is `ready`, else 503; the whole answer is its body */
  readiness(): Promise<Readiness>;
  maxBodyBytes: number;
  /** operations a JSON array body may hold; 0 refuses batched requests */
  maxBatchOperations: number;
  /** browser origins allowed to call cross-origin; every other origin gets no CORS headers */
  corsOrigins: readonly string[];
  /**
   * Per-client rate limit, checked before the body is read. `key` names the
   * client: the principal of a valid token, else its address (src/server/app.ts).
   */
  rateLimit?: { limiter: RateLimiter; key(req: IncomingMessage): Promise<string> };
  /** request, header and keep-alive timeouts, connections per address */
  connections: ConnectionLimits;
  /** Serves pages and assets outside GraphQL (the IDE, its sign-in); returns whether it answered. */
  pages?(req: IncomingMessage, res: ServerResponse, url: URL): boolean | Promise<boolean>;
  logger: Logger;
  /** counts requests and refusals; also served at /metrics (without a token: METRICS turns it on) */
  metrics?: ServiceMetrics;
  /** a fresh request id, when the client sent no usable x-request-id */
  newRequestId(): string;
}

export interface HttpServer {
  server: http.Server;
  /** Stops accepting, lets in-flight requests finish (bounded), then closes every connection. */
  drain(timeoutMs?: number): Promise<void>;
}

/** A refusal made by the transport itself, with its code's HTTP status (src/error-codes.ts; docs/operations.md, Hardening). */
class HttpError extends Error {
  readonly status: number;
  constructor(
    readonly code: CodeWithStatus,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = statusOf(code);
  }
}

const CORS_METHODS = 'GET, POST, OPTIONS';
const GRAPHQL_URL = new URL('/graphql', 'http://localhost');
const CORS_HEADERS =
  'authorization, content-type, x-correlation-id, x-request-id, apollo-require-preflight, x-apollo-operation-name';

/**
 * A thin node:http transport for Apollo: /graphql, /healthz and /readyz (and
 * /metrics and the IDE's pages when given). Every answer carries the
 * request's id (x-request-id). Before Apollo sees a request it answers CORS,
 * applies the rate limit, insists on JSON, reads the body with a size limit,
 * parses it and refuses batches unless allowed: all cheap, all before any
 * GraphQL work. Nothing else (no express) sits on the hot path.
 */
export function createHttpServer<Context extends object>(options: HttpOptions<Context>): HttpServer {
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const server = http.createServer(serverOptions(options.connections), (req, res) => {
    inFlight++;
    const started = process.hrtime.bigint();
    const record = new RequestRecord(requestIdOf(req, options.newRequestId), options.logger);
    res.setHeader('x-request-id', record.id);
    handle(options, req, res, record)
      .catch((error: unknown) => {
        const httpError =
          error instanceof HttpError ? error : new HttpError('INTERNAL_SERVER_ERROR', 'Internal server error');
        if (!(error instanceof HttpError)) record.log.error({ error: describeError(error) }, 'request failed');
        record.code = httpError.code;
        sendJson(res, httpError.status, errorBody(httpError.code, httpError.message), httpError.headers);
      })
      .finally(() => {
        observeRequest(options, req, res, record, started);
        if (--inFlight === 0) idle?.();
      });
  });
  capConnectionsPerAddress(server, options.connections.maxConnectionsPerAddress);

  return {
    server,
    async drain(timeoutMs = 10_000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => (idle = resolve)),
          new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
        ]);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}

async function handle<Context extends object>(
  options: HttpOptions<Context>,
  req: IncomingMessage,
  res: ServerResponse,
  record: RequestRecord,
): Promise<void> {
  // Nearly every request is to exactly /graphql: that one needs no parsing (the URL is only read).
  const url = req.url === '/graphql' ? GRAPHQL_URL : new URL(req.url ?? '/', 'http://localhost');
  const { pathname } = url; // a getter into the URL's internals: read once
  if (pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
  if (pathname === '/readyz') {
    const readiness = await options.readiness();
    return sendJson(res, readiness.status === 'ready' ? 200 : 503, readiness);
  }
  if (pathname === '/metrics' && options.metrics && req.method === 'GET') {
    const text = await options.metrics.text();
    res.writeHead(200, { 'content-type': options.metrics.contentType });
    return void res.end(text);
  }
  if (cors(options.corsOrigins, req, res)) return;
  // Everything below costs more than a health check: limit it before reading a byte of the body.
  if (options.rateLimit) await takeTokens(options, req, 1);
  // Pages answer synchronously but for the IDE's sign-in: the GraphQL path awaits nothing here.
  const page = options.pages?.(req, res, url);
  if (page === true || (page instanceof Promise && (await page))) return;
  if (pathname !== '/graphql') throw new HttpError('NOT_FOUND', 'Not found: GraphQL is served at /graphql');
  const headers = new HeaderMap();
  const incoming = req.headers;
  // for…in over Node's header object (its names are lower case already): no array of pairs per request
  for (const key in incoming) {
    const value = incoming[key];
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  let body: unknown;
  if (req.method === 'POST') {
    if (!isJson(headers.get('content-type'))) {
      req.resume();
      throw new HttpError('UNSUPPORTED_MEDIA_TYPE', 'POST bodies must be JSON: send content-type: application/json');
    }
    body = parseJson(await readBody(req, options.maxBodyBytes));
    if (Array.isArray(body)) {
      if (options.maxBatchOperations === 0) {
        throw new HttpError(
          'BATCHING_DISABLED',
          'Batched requests (a JSON array body) are not accepted: send one operation per request',
        );
      }
      if (body.length > options.maxBatchOperations) {
        throw new HttpError('BATCH_TOO_LARGE', `A batch may hold at most ${options.maxBatchOperations} operations`);
      }
      // One token per operation: a batch is not a way around the rate limit.
      if (options.rateLimit && body.length > 1) await takeTokens(options, req, body.length - 1);
    }
  }
  const response = await options.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
    context: () => options.context(req, record),
  });
  // The outcome plugin has set the code, unless Apollo answered before running the operation.
  if (record.code === '') record.code = (response.status ?? 200) < 400 ? 'OK' : ('BAD_REQUEST' satisfies ErrorCode);
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new HttpError('PAYLOAD_TOO_LARGE', `Request body larger than ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError('PAYLOAD_TOO_LARGE', `Request body larger than ${limit} bytes`));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function isJson(contentType: string | undefined): boolean {
  if (contentType === 'application/json') return true; // what nearly every client sends
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError('BAD_REQUEST', 'Malformed JSON body');
  }
}

async function takeTokens(
  options: Pick<HttpOptions<object>, 'rateLimit' | 'metrics'>,
  req: IncomingMessage,
  cost: number,
): Promise<void> {
  const rateLimit = options.rateLimit!;
  const decision = rateLimit.limiter.take(await rateLimit.key(req), cost);
  if (!decision.allowed) {
    options.metrics?.rateLimitRefused();
    req.resume();
    throw new HttpError('RATE_LIMITED', `Too many requests: retry in ${decision.retryAfterSeconds} s`, {
      'retry-after': String(decision.retryAfterSeconds),
    });
  }
}

/**
 * CORS for the configured origins only. A preflight from one of them is
 * answered here (204); from any other origin it is refused (403), and other
 * requests from it get no CORS headers, so the browser hides the answer.
 * Same-origin pages (the IDE) need no CORS. Returns whether it answered.
 */
function cors(allowed: readonly string[], req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  res.setHeader('vary', 'Origin');
  const permitted = origin !== undefined && allowed.includes(origin);
  // No allow-credentials: callers send bearer tokens, never cookies.
  if (permitted) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-expose-headers', 'x-request-id');
  }
  if (req.method !== 'OPTIONS') return false;
  if (origin !== undefined && !permitted) {
    throw new HttpError('CORS_ORIGIN_REFUSED', 'This origin may not call the API');
  }
  res.writeHead(204, {
    allow: CORS_METHODS,
    ...(permitted
      ? {
          'access-control-allow-methods': CORS_METHODS,
          'access-control-allow-headers': CORS_HEADERS,
          'access-control-max-age': '600',
        }
      : {}),
  });
  res.end();
  return true;
}

/** A JSON answer (nothing more once the headers went out). */
export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(value));
}
