import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse, GraphQLRequestListener } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ErrorCode } from '../error-codes.js';
import type { EventStore } from '../events/store/event-store.js';
import type { ProjectionStatus } from '../projections/runner/projection-host.js';

/**
 * What an operator watches, in Prometheus' text format at /metrics. Every
 * label value comes from this code or the schema (root field names, error
 * codes, event types, projection names, refusal reasons), never from a
 * request's values or ids: nothing personal, and a bounded number of series.
 * Each server has its own registry (tests run several in one process).
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'privacy_ledger_requests_total',
    help: 'GraphQL requests by root field of the operation and outcome code (OK, or the first error code)',
    labelNames: ['operation', 'code'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'privacy_ledger_request_duration_seconds',
    help: 'GraphQL request latency, from the first byte read to the last written, by root field',
    labelNames: ['operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly appended = new Counter({
    name: 'privacy_ledger_events_appended_total',
    help: 'events made durable in the log by this process, by event type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  private readonly erasures = new Counter({
    name: 'privacy_ledger_erasures_total',
    help: "personal data erased: one per PersonalDataErased event appended (a publisher contact, an account, an offer's support contacts)",
    registers: [this.registry],
  });
  private readonly rateLimited = new Counter({
    name: 'privacy_ledger_rate_limited_total',
    help: 'requests refused by the per-client rate limit (429 RATE_LIMITED)',
    registers: [this.registry],
  });
  private readonly tokenRefusals = new Counter({
    name: 'privacy_ledger_token_refusals_total',
    help: 'requests refused 401 UNAUTHENTICATED, by reason (missing: no authorization header)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor(projections: () => Promise<ProjectionStatus[]>) {
    // The process's own: CPU, memory, event loop delay, GC, open handles (prom-client's standard names).
    collectDefaultMetrics({ register: this.registry });
    // Read when scraped, not kept up to date on the hot path.
    const lag = new Gauge({
      name: 'privacy_ledger_projection_lag',
      help: 'positions a projection is behind the head of the log (events on the embedded store); 0 when caught up',
      labelNames: ['projection'] as const,
      registers: [this.registry],
      async collect() {
        for (const status of await projections()) this.set({ projection: status.name }, status.lag);
      },
    });
    void lag;
  }

  /** One finished GraphQL request (or one refused before GraphQL saw it). */
  request(operation: string, code: string, seconds: number): void {
    this.requests.inc({ operation, code });
    this.duration.observe({ operation }, seconds);
  }

  rateLimitRefused(): void {
    this.rateLimited.inc();
  }

  tokenRefused(reason: string): void {
    this.tokenRefusals.inc({ reason });
  }

  /** Counts every event `events` makes durable from now on (its `append` is wrapped once, in place, so the command handler that holds it counts too). */
  countAppends(events: EventStore): void {
    const append = events.append.bind(events);
    events.append = (streamId, batch, options) =>
      append(streamId, batch, options).then((result) => {
        for (const event of batch) {
          this.appended.inc({ type: event.type });
          if (event.type === 'PersonalDataErased') this.erasures.inc();
        }
        return result;
      });
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/**
 * One request's id, logger and outcome: made by the transport, its outcome
 * filled in by GraphQL (outcomePlugin) or by the transport's own refusals.
 */
export class RequestRecord {
  /** root field of the operation ('none' until GraphQL has resolved one) */
  operation = 'none';
  /** OK, or the first error's code ('' until known) */
  code = '';
  private child: Logger | undefined;

  constructor(
    /** the x-request-id echoed to the client and bound to every log line of the request */
    readonly id: string,
    private readonly logger: Logger,
  ) {}

  /** The request's logger: every line carries `requestId` (made on first use: most requests log only their one line). */
  get log(): Logger {
    return (this.child ??= this.logger.child({ requestId: this.id }));
  }
}

/**
 * Internal errors, as the error formatter meets them (it has no request):
 * the request they belong to logs them on its own logger, with its id
 * (outcomePlugin); one no request claims (raised outside an operation) is
 * logged here, on the next turn of the event loop.
 */
export class InternalErrors {
  private readonly pending = new Set<unknown>();

  constructor(private readonly logger: Logger) {}

  report(error: unknown): void {
    this.pending.add(error);
    setImmediate(() => {
      if (this.pending.delete(error)) this.logger.error({ error: describeError(error) }, 'internal error');
    });
  }

  /** Logs on `log` those of a response's errors that were reported as internal. */
  claim(errors: readonly unknown[] | undefined, log: () => Logger): void {
    if (!errors || this.pending.size === 0) return;
    for (const error of errors) {
      const original = unwrapResolverError(error);
      if (this.pending.delete(original)) log().error({ error: describeError(original) }, 'internal error');
    }
  }
}

export const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : 'unknown';

/** Records each operation's root field and outcome code on its request's record, and logs its internal errors there. */
export function outcomePlugin<Context extends object>(
  recordOf: (context: Context) => RequestRecord | undefined,
  internal: InternalErrors,
): ApolloServerPlugin<Context> {
  // One listener for every request: nothing is made per request.
  const listener: GraphQLRequestListener<Context> = {
    async willSendResponse(context) {
      const record = recordOf(context.contextValue);
      if (!record) return;
      internal.claim(context.errors, () => record.log);
      record.operation = operationLabel(context);
      const body = context.response.body;
      const code = body.kind === 'single' ? body.singleResult.errors?.[0]?.extensions?.['code'] : undefined;
      record.code =
        typeof code === 'string'
          ? code
          : body.kind === 'single' && body.singleResult.errors?.length
            ? ('INTERNAL_SERVER_ERROR' satisfies ErrorCode)
            : 'OK';
    },
  };
  return { requestDidStart: async () => listener };
}

/** Root field of an operation, the `operation` label and log field: named by the schema, so bounded and never personal. */
export function operationLabel(context: Pick<GraphQLRequestContextWillSendResponse<object>, 'operation'>): string {
  const first = context.operation?.selectionSet.selections[0];
  return first?.kind === 'Field' ? first.name.value : 'none';
}

/** A client's own id (x-request-id, x-correlation-id): short and plain, so safe in a header, a log line and an event's metadata. */
export const CLIENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A client's x-request-id when it is short and plain (letters, digits, . _ : -), else a fresh one. */
export function requestIdOf(req: IncomingMessage, fresh: () => string): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && CLIENT_ID.test(given) ? given : fresh();
}

/**
 * A GraphQL request (or one refused on its way there) is counted and logged
 * at info: root field, outcome code and milliseconds, nothing from its
 * variables. Probes, /metrics and the IDE's files are logged at debug only.
 */
export function observeRequest(
  options: { logger: Logger; metrics?: ServiceMetrics | undefined },
  req: IncomingMessage,
  res: ServerResponse,
  record: RequestRecord,
  started: bigint,
): void {
  if (record.code === '') {
    if (!options.logger.isLevelEnabled('debug')) return;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    return void options.logger.debug(
      { requestId: record.id, method: req.method, path: req.url?.split('?')[0], status: res.statusCode, ms },
      'request',
    );
  }
  const logged = options.logger.isLevelEnabled('info');
  if (!logged && !options.metrics) return;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  options.metrics?.request(record.operation, record.code, ms / 1000);
  if (logged)
    options.logger.info(
      { requestId: record.id, operation: record.operation, code: record.code, status: res.statusCode, ms },
      'request',
    );
}
