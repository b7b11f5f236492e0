import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Logger } from 'pino';
import { uuidV7Ids } from '../clock.js';
import { createLoaders, type RequestContext } from '../resolvers/context.js';
import { buildAppSchema } from '../schema/build-schema.js';
import type { Config } from './config.js';
import { createErrorFormatter } from './format-error.js';
import { createHttpServer } from './http-server.js';
import { graphiqlPages } from './graphiql.js';
import { openLedger, type Ledger, type LedgerOptions } from './ledger.js';
import { queryLimitsPlugin } from './query-limits.js';
import { RateLimiter } from './rate-limit.js';
import { scheduleRetention, type RetentionSchedule } from './retention-schedule.js';

export interface RunningServer {
  url: string;
  port: number;
  ledger: Ledger;
  /** Drains in-flight requests, then stops projections and closes the stores. */
  close(): Promise<void>;
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Starts the embedded service: stores, projections, GraphQL over HTTP. */
export async function startServer(config: Config, logger: Logger, options: LedgerOptions = {}): Promise<RunningServer> {
  const ledger = openLedger(config, { ...options, logger });
  let retention: RetentionSchedule | undefined;
  try {
    await ledger.runner.start();
    retention = scheduleRetention(ledger.retention, logger);
    await retention.first;
    const schema = await buildAppSchema();
    const apollo = new ApolloServer<RequestContext>({
      schema,
      introspection: config.introspection,
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
      // page that loads scripts from a CDN.
      plugins: [
        ApolloServerPluginCacheControlDisabled(),
        ApolloServerPluginLandingPageDisabled(),
        queryLimitsPlugin(schema, { maxDepth: config.maxQueryDepth, maxCost: config.maxQueryCost }),
      ],
      formatError: createErrorFormatter((error) =>
        logger.error({ error: error instanceof Error ? `${error.name}: ${error.message}` : 'unknown' }, 'internal error'),
      ),
    });
    await apollo.start();
    const http = createHttpServer<RequestContext>({
      apollo,
      context: async (req) => requestContext(ledger, req),
      ready: () => ledger.runner.live,
      maxBodyBytes: config.maxBodyBytes,
      maxBatchOperations: config.maxBatchOperations,
      corsOrigins: config.corsOrigins,
      ...(config.rateLimitPerSecond > 0
        ? {
            rateLimit: {
              limiter: new RateLimiter({ perSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst }),
              // The client address until authentication names the principal; then key by the principal.
              key: (req: IncomingMessage) => req.socket.remoteAddress ?? 'unknown',
            },
          }
        : {}),
      ...(config.graphiql ? { pages: graphiqlPages() } : {}),
      logger,
    });
    await new Promise<void>((resolve, reject) => {
      http.server.once('error', reject);
      http.server.listen(config.port, config.host, () => resolve());
    });
    const { port } = http.server.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host}:${port}/graphql`;
    logger.info({ url, dataDir: config.dataDir }, 'privacy-ledger is serving');
    return {
      url,
      port,
      ledger,
      async close() {
        await http.drain();
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

function requestContext(ledger: Ledger, req: IncomingMessage): RequestContext {
  let command: RequestContext['command'] | undefined;
  return {
    services: ledger.services,
    loaders: createLoaders(ledger.services),
    // Made on first use: only mutations stamp events, and reads should not pay for ids.
    get command() {
      if (!command) {
        const header = req.headers['x-correlation-id'];
        const requestId = uuidV7Ids.next();
        const correlationId = typeof header === 'string' && CORRELATION_ID.test(header) ? header : requestId;
        // Until authentication lands every caller is anonymous.
        command = { actor: { id: 'anonymous', kind: 'user' }, correlationId, requestId };
      }
      return command;
    },
  };
}
