import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { Logger } from 'pino';

export interface HttpOptions<Context extends object> {
  apollo: ApolloServer<Context>;
  context(req: IncomingMessage): Promise<Context>;
  /** /readyz answers 200 only while this is true */
  ready(): boolean;
  maxBodyBytes: number;
  logger: Logger;
}

export interface HttpServer {
  server: http.Server;
  /** Stops accepting, lets in-flight requests finish (bounded), then closes every connection. */
  drain(timeoutMs?: number): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A thin node:http transport for Apollo: /graphql, /healthz and /readyz.
 * It reads the body with a size limit, parses JSON, and hands the request to
 * Apollo; nothing else (no express) sits on the hot path.
 */
export function createHttpServer<Context extends object>(options: HttpOptions<Context>): HttpServer {
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const server = http.createServer((req, res) => {
    inFlight++;
    const started = process.hrtime.bigint();
    handle(options, req, res)
      .catch((error: unknown) => {
        const httpError =
          error instanceof HttpError ? error : new HttpError(500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
        if (!(error instanceof HttpError)) options.logger.error({ error: describe(error) }, 'request failed');
        sendJson(res, httpError.status, { errors: [{ message: httpError.message, extensions: { code: httpError.code } }] });
      })
      .finally(() => {
        options.logger.debug(
          { method: req.method, path: req.url?.split('?')[0], status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 },
          'request',
        );
        if (--inFlight === 0) idle?.();
      });
  });
  server.keepAliveTimeout = 5_000;

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
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  switch (url.pathname) {
    case '/healthz':
      return sendJson(res, 200, { status: 'ok' });
    case '/readyz':
      return options.ready() ? sendJson(res, 200, { status: 'ready' }) : sendJson(res, 503, { status: 'starting' });
    case '/graphql':
      break;
    default:
      throw new HttpError(404, 'NOT_FOUND', 'Not found: GraphQL is served at /graphql');
  }
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const body = req.method === 'POST' ? parseBody(headers.get('content-type'), await readBody(req, options.maxBodyBytes)) : undefined;
  const response = await options.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
    context: () => options.context(req),
  });
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
    return Promise.reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', `Request body larger than ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', `Request body larger than ${limit} bytes`));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(contentType: string | undefined, text: string): unknown {
  if (!contentType?.toLowerCase().startsWith('application/json')) return text;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', 'Malformed JSON body');
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(value));
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
}
