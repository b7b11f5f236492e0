import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Principal } from '../auth/principal.js';
import { createTokenVerifier, type TokenVerifier } from '../auth/token-verifier.js';
import { statusOf } from '../error-codes.js';
import { UnauthenticatedError } from '../errors.js';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import type { Logger } from 'pino';
import { systemClock, uuidV7Ids } from '../clock.js';
import type { RequestContext } from '../resolvers/context.js';
import { LedgerRequestContext } from '../resolvers/request-context.js';
import { buildAppSchema } from '../schema/build-schema.js';
import type { Config } from './config.js';
import { createErrorFormatter } from './format-error.js';
import { createHttpServer } from './http-server.js';
import { apolloCaches } from './apollo-caches.js';
import { compiledExecution } from './compiled-execution.js';
import { stopPretenuringOnceCaughtUp } from './pretenuring.js';
import { readiness } from './readiness.js';
import { CLIENT_ID, InternalErrors, outcomePlugin, ServiceMetrics, type RequestRecord } from './metrics.js';
import { graphiqlPages } from './graphiql.js';
import { localSignIn } from './local-sign-in.js';
import type { Ledger } from './ledger.js';
import type { LedgerOptions } from './ledger-options.js';
import { startLedger, type ServingLedger } from './serving-ledger.js';
import { queryLimitsPlugin } from './query-limits.js';
import { RateLimiter } from './rate-limit.js';
import { requestClient } from './request-client.js';
import { StorageHealth, storageUnavailablePlugin } from './storage-health.js';
import { scheduleRetention, type RetentionSchedule } from './retention-schedule.js';

export interface RunningServer {
  url: string;
  port: number;
  ledger: Ledger;
  /** Drains in-flight requests, then stops projections and closes the stores. */
  close(): Promise<void>;
}

/**
 * Starts the embedded service: stores, projections, GraphQL over HTTP.
 * `started`: the ledger `serve` started already (./serving-ledger.ts),
 * else it is started here.
 */
export async function startServer(
  config: Config,
  logger: Logger,
  options: LedgerOptions = {},
  started?: Promise<ServingLedger>,
): Promise<RunningServer> {
  const clock = options.clock;
  const { ledger, projecting } = await (started ?? startLedger(config, logger, options));
  let retention: RetentionSchedule | undefined;
  try {
    const tokens = await createTokenVerifier(config);
    retention = scheduleRetention(ledger.retention, logger);
    await retention.first;
    // the projections' thread starts meanwhile
    const schema = await buildAppSchema();
    const storage = new StorageHealth(config.dataDir, logger);
    const metrics = config.metrics ? new ServiceMetrics(() => ledger.runner.status()) : undefined;
    metrics?.countAppends(ledger.events);
    const internalErrors = new InternalErrors(logger);
    const compiled = compiledExecution(schema, config.compiledOperationCacheEntries);
    const apollo = new ApolloServer<RequestContext>({
      // Operations run as code compiled for each (./compiled-execution.ts).
      gateway: compiled.gateway,
      // Parsed documents and persisted query texts, bounded and forgotten when idle (./apollo-caches.ts).
      ...apolloCaches(config.compiledOperationCacheEntries),
      introspection: config.introspection,
      // "Did you mean …?" would rebuild the schema one guess at a time: whoever may not
      // introspect gets no suggestions either (variables' reasons are reduced in format-error).
      validationOptions: { hideSuggestions: !config.introspection },
      // A GET, or a POST a plain HTML form could send, must carry a header no
      // browser adds cross-site without a preflight (content-type: application/json does).
      csrfPrevention: true,
      allowBatchedHttpRequests: config.maxBatchOperations > 0,
      // Refused while parsing: a flood of aliases or fields never reaches validation.
      parseOptions: { maxTokens: config.maxQueryTokens },
      // We drain on SIGTERM ourselves (src/cli/main.ts); Apollo's own handler
      // would stop it mid-drain and re-raise the signal, killing the process
      // before the stores are closed.
      stopOnTerminationSignals: false,
      includeStacktraceInErrorResponses: false,
      // Only what we use: no cache-control hints computed per field, no landing
      // page that loads scripts from a CDN, no federation trace plugin asked per
      // request (this schema is no subgraph: it would never trace).
      plugins: [
        ApolloServerPluginCacheControlDisabled(),
        ApolloServerPluginInlineTraceDisabled(),
        ApolloServerPluginLandingPageDisabled(),
        queryLimitsPlugin(schema, { maxDepth: config.maxQueryDepth, maxCost: config.maxQueryCost }),
        storageUnavailablePlugin(storage),
        // the last hook before execution
        compiled.plugin,
        outcomePlugin<RequestContext>(
          (context) => (context instanceof LedgerRequestContext ? context.record : undefined),
          internalErrors,
        ),
      ],
      formatError: createErrorFormatter((error) => internalErrors.report(error)),
    });
    await apollo.start();
    // Only the rate limit asks before the context: without it, no memo per request.
    const principals =
      config.rateLimitPerSecond > 0
        ? verifiedOnce(tokens)
        : (req: IncomingMessage) => tokens.verify(req.headers.authorization);
    const http = createHttpServer<RequestContext>({
      apollo,
      context: async (req, record) =>
        new LedgerRequestContext(ledger.services, await authenticate(principals, req, record, metrics), record, () => {
          const header = req.headers['x-correlation-id'];
          return {
            correlationId: typeof header === 'string' && CLIENT_ID.test(header) ? header : record.id,
            client: requestClient(req, config.trustProxy),
          };
        }),
      readiness: () => readiness(storage, ledger),
      maxBodyBytes: config.maxBodyBytes,
      maxBatchOperations: config.maxBatchOperations,
      corsOrigins: config.corsOrigins,
      connections: {
        requestTimeoutMs: config.requestTimeoutMs,
        headersTimeoutMs: config.headersTimeoutMs,
        keepAliveTimeoutMs: config.keepAliveTimeoutMs,
        maxConnectionsPerAddress: config.maxConnectionsPerAddress,
      },
      ...(config.rateLimitPerSecond > 0
        ? {
            rateLimit: {
              limiter: new RateLimiter({
                perSecond: config.rateLimitPerSecond,
                burst: config.rateLimitBurst,
                maxKeys: config.rateLimitClients,
                ...(clock ? { now: () => clock.now().getTime() } : {}),
              }),
              // The token is verified first (a cached key, ~150 µs; a token seen before, a lookup):
              // a valid principal has its own bucket, so a flood of bad tokens from its
              // address (a NAT, a proxy) slows only the requests without a valid token.
              key: async (req: IncomingMessage) => {
                const principal = await principals(req).catch(() => undefined);
                return principal
                  ? `principal:${principal.id}`
                  : `address:${requestClient(req, config.trustProxy).ip ?? 'unknown'}`;
              },
            },
          }
        : {}),
      ...(config.graphiql ? { pages: graphiqlPages(localSignIn(config, clock ?? systemClock)) } : {}),
      logger,
      ...(metrics ? { metrics } : {}),
      newRequestId: () => uuidV7Ids.next(),
    });
    await projecting;
    await new Promise<void>((resolve, reject) => {
      http.server.once('error', reject);
      http.server.listen(config.port, config.host, () => resolve());
    });
    const { port } = http.server.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host}:${port}/graphql`;
    logger.info({ url, dataDir: config.dataDir }, 'privacy-ledger is serving');
    const stopLooking = stopPretenuringOnceCaughtUp(ledger.runner);
    return {
      url,
      port,
      ledger,
      async close() {
        stopLooking();
        await http.drain();
        storage.stop();
        await apollo.stop();
        await retention?.stop();
        await ledger.close();
        logger.info('privacy-ledger stopped');
      },
    };
  } catch (error) {
    await retention?.stop();
    await ledger.close();
    throw error;
  }
}

/**
 * The principal of a request's bearer token. Without a valid one the whole
 * request is refused before anything runs: HTTP 401 with
 * `WWW-Authenticate: Bearer` and one UNAUTHENTICATED error; the reason is logged at info.
 */
async function authenticate(
  principals: (req: IncomingMessage) => Promise<Principal>,
  req: IncomingMessage,
  record: RequestRecord,
  metrics: ServiceMetrics | undefined,
): Promise<Principal> {
  try {
    return await principals(req);
  } catch (error) {
    if (!(error instanceof UnauthenticatedError)) throw error;
    record.code = error.code;
    // Why, for the operator: the check that failed, never the token nor its claims.
    record.log.info({ reason: error.reason }, 'token refused');
    metrics?.tokenRefused(req.headers.authorization === undefined ? 'missing' : error.reason);
    throw new GraphQLError(error.message, {
      originalError: error,
      extensions: {
        code: error.code,
        http: { status: statusOf(error.code), headers: new HeaderMap([['www-authenticate', 'Bearer']]) },
      },
    });
  }
}

/** A request's principal, verified once however often asked (the rate limit, then the context). */
function verifiedOnce(tokens: TokenVerifier): (req: IncomingMessage) => Promise<Principal> {
  const verified = new WeakMap<IncomingMessage, Promise<Principal>>();
  return (req) => {
    let principal = verified.get(req);
    if (!principal) verified.set(req, (principal = tokens.verify(req.headers.authorization)));
    return principal;
  };
}
