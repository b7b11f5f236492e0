import {
  boolean,
  booleanOrAuto,
  databaseName,
  dataDirectory,
  DEFAULT_DATA_DIR,
  integer,
  integerOrAuto,
  keySetUrl,
  kurrentdbUrl,
  masterKey,
  mongodbUrl,
  nonEmpty,
  oneOf,
  optional,
  origins,
  text,
  type ConfigOf,
  type Setting,
} from './setting-parsers.js';
import { CACHE_SETTINGS } from './cache-settings.js';
import { GRANT_SETTINGS } from './grant-settings.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Every setting, declared once: its flag is its name in kebab case
 * (`dataDir`: `--data-dir`), then its environment variable, default, parser
 * and meaning. The Config type, loadConfig (src/server/config.ts), --help
 * and the README's configuration table (`npm run docs:tables`) all
 * follow from this table. A parser answering AUTO (`auto`) needs a rule in
 * config.ts; a parser answering undefined (empty) makes the setting optional.
 */
export const SETTINGS = {
  host: {
    env: 'HOST',
    default: '127.0.0.1',
    parse: text,
    help: 'interface to listen on (set `0.0.0.0` in a container)',
  },
  port: { env: 'PORT', default: '4000', parse: integer(0, 65535), help: 'HTTP port' },
  dataDir: {
    env: 'DATA_DIR',
    default: DEFAULT_DATA_DIR,
    shownDefault: "`data` in the checkout's root",
    parse: dataDirectory,
    help: 'where the SQLite files and the master key live; a relative flag or variable is taken from the current folder, the default is the same from any folder',
  },
  logLevel: { env: 'LOG_LEVEL', default: 'info', parse: oneOf(LOG_LEVELS), help: LOG_LEVELS.join(', ') },
  masterKey: {
    env: 'PRIVACY_LEDGER_MASTER_KEY',
    default: '',
    shownDefault: 'generated',
    parse: optional(masterKey),
    help: 'base64 of 32 bytes that wraps every data key; when empty, one is generated into `<data-dir>/master.key` (mode 0600) on first start',
  },
  readYourWritesTimeoutMs: {
    env: 'READ_YOUR_WRITES_TIMEOUT_MS',
    default: '5000',
    parse: integer(0, 60_000),
    help: 'how long a query with `minPosition` waits, and a read of a model still catching up after start (/readyz names those)',
  },
  maxBodyBytes: {
    env: 'MAX_BODY_BYTES',
    default: '1048576',
    parse: integer(1024, 100 * 1024 * 1024),
    help: 'largest request body',
  },
  introspection: {
    env: 'INTROSPECTION',
    default: 'auto',
    parse: booleanOrAuto,
    help: 'allow schema introspection: `true`, `false`, or `auto` (on, unless `NODE_ENV=production`); when off, errors suggest no names either ("Did you mean …?")',
  },
  graphiql: {
    env: 'GRAPHIQL',
    default: 'auto',
    parse: booleanOrAuto,
    help: 'serve the GraphiQL IDE at `GET /graphql`: `true`, `false`, or `auto` (as introspection)',
  },
  maxQueryTokens: {
    env: 'MAX_QUERY_TOKENS',
    default: '2000',
    parse: integer(100, 1_000_000),
    help: 'most tokens in a query document',
  },
  maxQueryDepth: {
    env: 'MAX_QUERY_DEPTH',
    default: '15',
    parse: integer(2, 100),
    help: 'deepest selection nesting (the standard introspection query reaches 15)',
  },
  maxQueryCost: {
    env: 'MAX_QUERY_COST',
    default: '5000',
    parse: integer(10, 10_000_000),
    help: 'highest estimated cost of an operation',
  },
  maxBatchOperations: {
    env: 'MAX_BATCH_OPERATIONS',
    default: '0',
    parse: integer(0, 100),
    help: 'operations in one batched (JSON array) request; `0` refuses batches',
  },
  rateLimitPerSecond: {
    env: 'RATE_LIMIT_PER_SECOND',
    default: '20',
    parse: integer(0, 1_000_000),
    help: 'requests per second each client may sustain; `0` turns the limit off',
  },
  rateLimitBurst: {
    env: 'RATE_LIMIT_BURST',
    default: '100',
    parse: integer(1, 1_000_000),
    help: 'requests each client may send at once',
  },
  requestTimeoutMs: {
    env: 'REQUEST_TIMEOUT_MS',
    default: '30000',
    parse: integer(1_000, 3_600_000),
    help: 'the whole request, headers and body, must arrive within this, or it is answered 408 and its connection closed (a 1 MB body in 30 s needs 35 kB/s)',
  },
  headersTimeoutMs: {
    env: 'HEADERS_TIMEOUT_MS',
    default: '10000',
    parse: integer(1_000, 3_600_000),
    help: 'the headers must arrive within this (at most `REQUEST_TIMEOUT_MS`)',
  },
  keepAliveTimeoutMs: {
    env: 'KEEP_ALIVE_TIMEOUT_MS',
    default: '5000',
    parse: integer(0, 3_600_000),
    help: "an idle keep-alive connection is closed after this; behind a load balancer, set it above the balancer's idle timeout",
  },
  maxConnectionsPerAddress: {
    env: 'MAX_CONNECTIONS_PER_ADDRESS',
    default: '256',
    parse: integer(0, 1_000_000),
    help: "open connections one client address may hold; one more is answered 429 `RATE_LIMITED` and closed before it is read. Behind a proxy every connection comes from the proxy's address: set it above what the proxy pools, or `0` (no cap)",
  },
  corsOrigins: {
    env: 'CORS_ORIGINS',
    default: '',
    parse: origins,
    help: 'comma-separated browser origins allowed to call the API cross-origin, e.g. `https://portal.example.com`',
  },
  kurrentdbUrl: {
    env: 'KURRENTDB_URL',
    default: '',
    parse: optional(kurrentdbUrl),
    help: 'a KurrentDB connection string (`kurrentdb://user:pass@node1:2113,node2:2113?tlsCAFile=…`): the log lives in that cluster instead of `<data-dir>/events.sqlite`; see [`deploy/README.md`](deploy/README.md)',
  },
  trustProxy: {
    env: 'TRUST_PROXY',
    default: 'false',
    parse: boolean,
    help: 'take the client IP from the first `X-Forwarded-For` address; set only behind a proxy that overwrites that header',
  },
  mongodbUrl: {
    env: 'MONGODB_URL',
    default: '',
    parse: optional(mongodbUrl),
    help: 'a MongoDB replica set (`mongodb://` or `mongodb+srv://`, TLS and credentials as the driver reads them) for the read models, keys and projection leases; SQLite files in the data directory when empty. Needs `--master-key`, shared by every process. Never echoed',
  },
  mongodbDatabase: {
    env: 'MONGODB_DATABASE',
    default: 'privacy_ledger',
    parse: databaseName,
    help: 'the database of the read models, keys and leases',
  },
  mongodbKeysUrl: {
    env: 'MONGODB_KEYS_URL',
    default: '',
    parse: optional(mongodbUrl),
    help: 'a separate replica set for the data keys (short oplog window, own backups: [docs/erasure-on-mongodb.md](docs/erasure-on-mongodb.md))',
  },
  projectionThread: {
    env: 'PROJECTION_THREAD',
    default: 'true',
    parse: boolean,
    help: 'embedded shape (SQLite log and read models): run the projections on a worker thread of their own, so projecting does not take the event loop that answers requests (`false`: on that loop)',
  },
  leaseTtlMs: {
    env: 'LEASE_TTL_MS',
    default: '15000',
    parse: integer(100, 600_000),
    help: "how long a projection lease lasts unrenewed: how long a dead worker's projections wait before another takes over",
  },
  authIssuer: {
    env: 'AUTH_ISSUER',
    default: 'privacy-ledger-local',
    parse: nonEmpty,
    help: 'the `iss` of accepted tokens (Entra ID: `https://login.microsoftonline.com/<tenant>/v2.0`)',
  },
  authAudience: {
    env: 'AUTH_AUDIENCE',
    default: 'privacy-ledger',
    parse: nonEmpty,
    help: "the `aud` of accepted tokens (Entra ID: the API's application id)",
  },
  authJwksUrl: {
    env: 'AUTH_JWKS_URL',
    default: '',
    parse: optional(keySetUrl),
    help: "Entra ID's signing keys (`https://login.microsoftonline.com/<tenant>/discovery/v2.0/keys`; https, or http to localhost); when empty, tokens are verified with the key generated into `<data-dir>/token-signing.jwk`",
  },
  authClockSkewSeconds: {
    env: 'AUTH_CLOCK_SKEW_SECONDS',
    default: '60',
    parse: integer(0, 300),
    help: 'how far `exp`, `nbf` and `iat` may be off (0–300)',
  },
  authMaxTokenLifetimeSeconds: {
    env: 'AUTH_MAX_TOKEN_LIFETIME_SECONDS',
    default: 'auto',
    parse: integerOrAuto(60, 366 * 86400),
    help: "the longest lifetime a token may claim, both `exp` − `iat` and `exp` − now (60 s to 366 days); `auto`: 86400 (a day, Entra ID's longest configurable access-token lifetime; an API that accepts continuous-access-evaluation tokens, which live up to 28 hours, sets 100800) with `AUTH_JWKS_URL`, 2592000 (30 days, the longest `privacy-ledger token --ttl`) for the embedded key. A token beyond it, or issued in the future, is 401 like any invalid token",
  },
  retentionDays: {
    env: 'RETENTION_DAYS',
    default: '365',
    parse: integer(1, 36_500),
    help: 'how long privacy request requesters (and client IP / user agent) stay readable; `privacy-ledger retention` destroys what is older (see [Privacy model](docs/privacy.md#privacy-model))',
  },
  metrics: {
    env: 'METRICS',
    default: 'false',
    parse: boolean,
    help: '`true` serves Prometheus metrics at `GET /metrics` on the same port, without a token; a `project` worker serves them on `PORT` (see [Observability](docs/operations.md#observability))',
  },
  ...GRANT_SETTINGS,
  ...CACHE_SETTINGS,
} satisfies Record<string, Setting<unknown>>;

export type SettingName = keyof typeof SETTINGS;
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

/** The configuration every command runs with (src/server/config.ts reads it). */
export type Config = ConfigOf<typeof SETTINGS>;

/** `dataDir`: `--data-dir`. */
export const flagOf = (name: SettingName): string => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** How errors name a setting: `--data-dir / DATA_DIR`. */
export const whereOf = (name: SettingName): string => `${flagOf(name)} / ${SETTINGS[name].env}`;
