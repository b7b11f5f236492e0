import { SNAPSHOT_CACHE_ENTRIES } from '../audit/stream-states.js';
import { TOKEN_CACHE_ENTRIES } from '../auth/token-verifier.js';
import { AGGREGATE_CACHE_ENTRIES } from '../events/aggregate-cache.js';
import { KEY_CACHE_ENTRIES } from '../privacy/key-wrap.js';
import { OPENED_VALUE_CACHE_ENTRIES } from '../privacy/opened-value-cache.js';
import { DOCUMENT_CACHE_MB } from '../projections/sqlite/doc-cache.js';
import { LOG_MMAP_MB } from '../events/sqlite/sqlite-event-store.js';
import { RATE_LIMIT_CLIENTS } from './rate-limit.js';
import type { Config } from './config.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Each setting: its flag, its environment variable, its default, and what it means (README table). */
export const SETTINGS = {
  host: { flag: '--host', env: 'HOST', default: '127.0.0.1', help: 'interface to listen on' },
  port: { flag: '--port', env: 'PORT', default: '4000', help: 'HTTP port' },
  dataDir: { flag: '--data-dir', env: 'DATA_DIR', default: '<checkout>/data', help: 'where the SQLite files and keys live (relative paths from the current folder)' },
  logLevel: { flag: '--log-level', env: 'LOG_LEVEL', default: 'info', help: LOG_LEVELS.join(', ') },
  masterKey: {
    flag: '--master-key',
    env: 'PRIVACY_LEDGER_MASTER_KEY',
    default: '',
    help: 'base64 of 32 bytes wrapping every data key; generated into the data directory when empty',
  },
  readYourWritesTimeoutMs: {
    flag: '--read-your-writes-timeout-ms',
    env: 'READ_YOUR_WRITES_TIMEOUT_MS',
    default: '5000',
    help: 'how long a query with minPosition waits',
  },
  maxBodyBytes: { flag: '--max-body-bytes', env: 'MAX_BODY_BYTES', default: '1048576', help: 'largest request body' },
  introspection: {
    flag: '--introspection',
    env: 'INTROSPECTION',
    default: 'auto',
    help: 'allow schema introspection (and name suggestions in errors): true, false, or auto (on unless NODE_ENV=production)',
  },
  graphiql: { flag: '--graphiql', env: 'GRAPHIQL', default: 'auto', help: 'serve the GraphiQL IDE at GET /graphql: true, false, or auto (as introspection)' },
  maxQueryTokens: { flag: '--max-query-tokens', env: 'MAX_QUERY_TOKENS', default: '2000', help: 'most tokens in a query document' },
  maxQueryDepth: { flag: '--max-query-depth', env: 'MAX_QUERY_DEPTH', default: '15', help: 'deepest selection nesting (the standard introspection query reaches 15)' },
  maxQueryCost: { flag: '--max-query-cost', env: 'MAX_QUERY_COST', default: '5000', help: 'highest estimated cost (1 per field, lists times first)' },
  maxBatchOperations: {
    flag: '--max-batch-operations',
    env: 'MAX_BATCH_OPERATIONS',
    default: '0',
    help: 'operations per batched (JSON array) request; 0 refuses batches',
  },
  rateLimitPerSecond: {
    flag: '--rate-limit-per-second',
    env: 'RATE_LIMIT_PER_SECOND',
    default: '20',
    help: 'requests per second each client may sustain; 0 turns the limit off',
  },
  rateLimitBurst: { flag: '--rate-limit-burst', env: 'RATE_LIMIT_BURST', default: '100', help: 'requests each client may send at once' },
  requestTimeoutMs: {
    flag: '--request-timeout-ms',
    env: 'REQUEST_TIMEOUT_MS',
    default: '30000',
    help: 'the whole request (headers and body) must arrive within this, or 408 and the connection is closed',
  },
  headersTimeoutMs: { flag: '--headers-timeout-ms', env: 'HEADERS_TIMEOUT_MS', default: '10000', help: 'the headers must arrive within this (at most the request timeout)' },
  keepAliveTimeoutMs: {
    flag: '--keep-alive-timeout-ms',
    env: 'KEEP_ALIVE_TIMEOUT_MS',
    default: '5000',
    help: 'an idle keep-alive connection is closed after this (behind a load balancer, above its idle timeout)',
  },
  maxConnectionsPerAddress: {
    flag: '--max-connections-per-address',
    env: 'MAX_CONNECTIONS_PER_ADDRESS',
    default: '256',
    help: 'open connections one client address may hold (a proxy is one address); 0 turns the cap off',
  },
  corsOrigins: {
    flag: '--cors-origins',
    env: 'CORS_ORIGINS',
    default: '',
    help: 'comma-separated browser origins allowed cross-origin (e.g. https://portal.example.com); none when empty',
  },
  kurrentdbUrl: {
    flag: '--kurrentdb-url',
    env: 'KURRENTDB_URL',
    default: '',
    help: 'KurrentDB connection string (kurrentdb://...); the SQLite log in the data directory when empty',
  },
  trustProxy: {
    flag: '--trust-proxy',
    env: 'TRUST_PROXY',
    default: 'false',
    help: 'take the client IP from X-Forwarded-For (set only behind a proxy that overwrites it)',
  },
  mongodbUrl: {
    flag: '--mongodb-url',
    env: 'MONGODB_URL',
    default: '',
    help: 'mongodb:// or mongodb+srv:// URL of a replica set for read models, keys and leases; SQLite files when empty',
  },
  mongodbDatabase: { flag: '--mongodb-database', env: 'MONGODB_DATABASE', default: 'privacy_ledger', help: 'database of the read models, keys and leases' },
  mongodbKeysUrl: {
    flag: '--mongodb-keys-url',
    env: 'MONGODB_KEYS_URL',
    default: '',
    help: 'a separate replica set for the data keys (see docs/erasure-on-mongodb.md); the --mongodb-url one when empty',
  },
  projectionThread: {
    flag: '--projection-thread',
    env: 'PROJECTION_THREAD',
    default: 'true',
    help: 'embedded shape (SQLite log and read models): project on a worker thread of its own, off the thread that answers requests',
  },
  leaseTtlMs: { flag: '--lease-ttl-ms', env: 'LEASE_TTL_MS', default: '15000', help: "how long a projection lease lasts unrenewed (a dead worker's projections wait that long)" },
  authIssuer: {
    flag: '--auth-issuer',
    env: 'AUTH_ISSUER',
    default: 'privacy-ledger-local',
    help: 'the iss of accepted tokens (Entra ID: https://login.microsoftonline.com/<tenant>/v2.0)',
  },
  authAudience: { flag: '--auth-audience', env: 'AUTH_AUDIENCE', default: 'privacy-ledger', help: 'the aud of accepted tokens (Entra ID: the API app id)' },
  authJwksUrl: {
    flag: '--auth-jwks-url',
    env: 'AUTH_JWKS_URL',
    default: '',
    help: 'Entra ID signing keys (https://login.microsoftonline.com/<tenant>/discovery/v2.0/keys); when empty, a key generated into the data directory',
  },
  authClockSkewSeconds: { flag: '--auth-clock-skew-seconds', env: 'AUTH_CLOCK_SKEW_SECONDS', default: '60', help: 'allowed clock skew for exp, nbf and iat' },
  authMaxTokenLifetimeSeconds: {
    flag: '--auth-max-token-lifetime-seconds',
    env: 'AUTH_MAX_TOKEN_LIFETIME_SECONDS',
    default: 'auto',
    help: 'longest token lifetime accepted (exp - iat, and exp - now); auto: 86400 with AUTH_JWKS_URL (Entra ID), 2592000 (30 days) for the embedded key',
  },
  retentionDays: {
    flag: '--retention-days',
    env: 'RETENTION_DAYS',
    default: '365',
    help: 'days after which privacy request requesters and client IP / user agent become unreadable (privacy-ledger retention)',
  },
  aggregateCacheEntries: {
    flag: '--aggregate-cache-entries',
    env: 'AGGREGATE_CACHE_ENTRIES',
    default: String(AGGREGATE_CACHE_ENTRIES),
    help: 'folded streams kept in memory for commands (least recently used out first)',
  },
  openedValueCacheEntries: {
    flag: '--opened-value-cache-entries',
    env: 'OPENED_VALUE_CACHE_ENTRIES',
    default: String(OPENED_VALUE_CACHE_ENTRIES),
    help: 'decrypted personal values kept in memory, so a hot read does not decrypt again',
  },
  keyCacheEntries: { flag: '--key-cache-entries', env: 'KEY_CACHE_ENTRIES', default: String(KEY_CACHE_ENTRIES), help: 'unwrapped data keys kept in memory (embedded key store)' },
  documentCacheMb: {
    flag: '--document-cache-mb',
    env: 'DOCUMENT_CACHE_MB',
    default: String(DOCUMENT_CACHE_MB),
    help: 'megabytes of read-model JSON kept parsed in memory, with the pages of recent lists (embedded read store; about twice that in heap)',
  },
  snapshotCacheEntries: {
    flag: '--snapshot-cache-entries',
    env: 'SNAPSHOT_CACHE_ENTRIES',
    default: String(SNAPSHOT_CACHE_ENTRIES),
    help: 'snapshots of past states kept in memory for history and point-in-time reads',
  },
  tokenCacheEntries: { flag: '--token-cache-entries', env: 'TOKEN_CACHE_ENTRIES', default: String(TOKEN_CACHE_ENTRIES), help: 'verified tokens kept until they expire' },
  logMmapMb: {
    flag: '--log-mmap-mb',
    env: 'LOG_MMAP_MB',
    default: String(LOG_MMAP_MB),
    help: 'megabytes of the embedded log each connection maps into memory (counted in RSS, twice: the projection thread has its own); 0 reads through SQLite',
  },
  rateLimitClients: { flag: '--rate-limit-clients', env: 'RATE_LIMIT_CLIENTS', default: String(RATE_LIMIT_CLIENTS), help: 'clients whose rate-limit buckets are kept' },
  metrics: {
    flag: '--metrics',
    env: 'METRICS',
    default: 'false',
    help: 'serve Prometheus metrics at GET /metrics on the same port, without a token (nothing personal in them; expose the port to scrapers only)',
  },
} as const satisfies Record<keyof Config, { flag: string; env: string; default: string; help: string }>;
