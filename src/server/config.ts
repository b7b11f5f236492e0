import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { didYouMean } from '../did-you-mean.js';
import { maxTokenLifetimeSeconds } from '../auth/token-verifier.js';
import { connectionStringProblem } from '../events/kurrentdb/connection-string.js';
import { LOG_LEVELS, type LogLevel, SETTINGS } from './settings.js';

/**
 * Configuration from flags (first) and environment variables. A bad value
 * stops start-up with one clear sentence (ConfigError), never a stack trace.
 * Values are never echoed when they could be secrets.
 */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  logLevel: LogLevel;
  /** base64 of 32 bytes; when absent a key is generated into the data directory */
  masterKey?: string;
  /** how long a query with `minPosition` waits for the read models */
  readYourWritesTimeoutMs: number;
  /** largest accepted request body */
  maxBodyBytes: number;
  /** schema introspection; `auto` in the settings means on unless NODE_ENV=production */
  introspection: boolean;
  /** the in-browser IDE at GET /graphql; `auto` follows introspection */
  graphiql: boolean;
  /** most tokens a query document may hold (refused while parsing, before validation) */
  maxQueryTokens: number;
  /** deepest selection nesting an operation may reach */
  maxQueryDepth: number;
  /** highest estimated cost of an operation (1 per field, lists times `first`) */
  maxQueryCost: number;
  /** operations in one batched (JSON array) request; 0 refuses batches */
  maxBatchOperations: number;
  /** token bucket per client: tokens added per second (0 turns rate limiting off) */
  rateLimitPerSecond: number;
  /** token bucket per client: its size, the largest burst */
  rateLimitBurst: number;
  /** the whole request (headers and body) must arrive within this */
  requestTimeoutMs: number;
  /** the headers must arrive within this; at most requestTimeoutMs */
  headersTimeoutMs: number;
  /** an idle keep-alive connection is closed after this */
  keepAliveTimeoutMs: number;
  /** open connections per client address (socket peer); 0: no cap */
  maxConnectionsPerAddress: number;
  /** browser origins (scheme://host[:port]) allowed to call the API cross-origin */
  corsOrigins: string[];
  /** KurrentDB connection string; when absent the log is the SQLite file in the data directory */
  kurrentdbUrl?: string;
  /** take the client IP from X-Forwarded-For (only behind a proxy that sets it) */
  trustProxy: boolean;
  /** a MongoDB replica set for read models, keys and leases; absent: SQLite files in the data directory */
  mongodbUrl?: string;
  mongodbDatabase: string;
  /** a separate replica set for the keys (a short oplog window, its own backups); default: mongodbUrl */
  mongodbKeysUrl?: string;
  /** how long a projection lease lasts without renewal: how long a dead worker's projections wait */
  leaseTtlMs: number;
  /** embedded shape: run the projections on a worker thread of their own, off the event loop that answers requests */
  projectionThread: boolean;
  /** the `iss` every token must carry */
  authIssuer: string;
  /** the `aud` every token must carry */
  authAudience: string;
  /** Entra ID's signing keys; when absent, tokens are verified with the embedded key in the data directory */
  authJwksUrl?: string;
  /** how far `exp`, `nbf` and `iat` may be off */
  authClockSkewSeconds: number;
  /** the longest lifetime a token may claim; `auto` in the settings: a day for Entra ID, 30 days for the embedded key */
  authMaxTokenLifetimeSeconds: number;
  /** how long privacy request records' requesters and client IP / user agent stay readable */
  retentionDays: number;
  /** count requests and serve them, without a token, at GET /metrics (Prometheus) */
  metrics: boolean;
  /** the longest an operator's access grant may last */
  accessGrantMaxMinutes: number;
  /** whether an access grant needs a second operator's approval before it is active */
  accessGrantApproval: boolean;
  /** the longest an emergency (break-glass) access may last */
  emergencyAccessMaxMinutes: number;
}

export class ConfigError extends Error {}

export type Raw = Partial<Record<keyof Config, string>>;

/**
 * The checkout's root (the nearest folder above this file with a
 * package.json): the default data directory is `data` there, so that every
 * command finds the same ledger from any folder of the checkout.
 */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export const DEFAULT_DATA_DIR = path.join(packageRoot(), 'data');

/** Our own prefix: a variable with it that names no setting is a typo, not someone else's variable. */
const OWN_PREFIX = 'PRIVACY_LEDGER_';

function refuseUnknownVariables(env: NodeJS.ProcessEnv): void {
  const known = Object.values(SETTINGS).map((s) => s.env as string);
  for (const name of Object.keys(env)) {
    if (!name.startsWith(OWN_PREFIX) || known.includes(name)) continue;
    // PRIVACY_LEDGER_PORT means PORT: compare without the prefix too.
    const bare = name.slice(OWN_PREFIX.length);
    const hint = known.includes(bare) ? ` Did you mean ${bare}?` : didYouMean(name, known) || didYouMean(bare, known);
    throw new ConfigError(`unknown environment variable ${name}.${hint} Run "privacy-ledger help" for every setting.`);
  }
}

export function loadConfig(flags: Raw, env: NodeJS.ProcessEnv = process.env): Config {
  refuseUnknownVariables(env);
  const get = (key: keyof Config): string =>
    flags[key] ?? env[SETTINGS[key].env] ?? (key === 'dataDir' ? DEFAULT_DATA_DIR : SETTINGS[key].default);
  const where = (key: keyof Config): string => `${SETTINGS[key].flag} / ${SETTINGS[key].env}`;
  const integer = (key: keyof Config, min: number, max: number): number => {
    const text = get(key).trim();
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      throw new ConfigError(`${where(key)} must be a whole number from ${min} to ${max}, got "${text}".`);
    }
    return value;
  };
  const logLevel = get('logLevel').trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`${where('logLevel')} must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}".`);
  }
  const switchable = (key: 'introspection' | 'graphiql', auto: boolean): boolean => {
    const text = get(key).trim().toLowerCase();
    if (text === 'auto') return auto;
    if (text === 'true' || text === 'false') return text === 'true';
    throw new ConfigError(`${where(key)} must be true, false or auto.`);
  };
  const introspection = switchable('introspection', env['NODE_ENV'] !== 'production');
  const boolean = (key: keyof Config): boolean => {
    const text = get(key).trim().toLowerCase();
    if (!['true', 'false'].includes(text)) throw new ConfigError(`${where(key)} must be true or false.`);
    return text === 'true';
  };
  const dataDir = get('dataDir').trim();
  if (!dataDir) throw new ConfigError(`${where('dataDir')} must not be empty.`);
  const masterKey = get('masterKey').trim();
  if (masterKey && Buffer.from(masterKey, 'base64').length !== 32) {
    throw new ConfigError(`${where('masterKey')} must be the base64 encoding of exactly 32 bytes (e.g. openssl rand -base64 32).`);
  }
  const kurrentdbUrl = get('kurrentdbUrl').trim();
  const kurrentdbProblem = kurrentdbUrl ? connectionStringProblem(kurrentdbUrl) : undefined;
  if (kurrentdbProblem) throw new ConfigError(`${where('kurrentdbUrl')} ${kurrentdbProblem}.`);
  // The URLs may hold credentials: they are never echoed.
  const mongoUrl = (key: 'mongodbUrl' | 'mongodbKeysUrl'): string => {
    const url = get(key).trim();
    if (url && !/^mongodb(\+srv)?:\/\/[^\s]+$/.test(url)) throw new ConfigError(`${where(key)} must be a mongodb:// or mongodb+srv:// connection string.`);
    return url;
  };
  const mongodbUrl = mongoUrl('mongodbUrl');
  const mongodbKeysUrl = mongoUrl('mongodbKeysUrl');
  if (mongodbKeysUrl && !mongodbUrl) throw new ConfigError(`${where('mongodbKeysUrl')} needs ${where('mongodbUrl')}.`);
  if (mongodbUrl && !masterKey) {
    throw new ConfigError(`with ${where('mongodbUrl')}, set ${where('masterKey')}: every process must wrap keys with the same master key.`);
  }
  const mongodbDatabase = get('mongodbDatabase').trim();
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(mongodbDatabase)) {
    throw new ConfigError(`${where('mongodbDatabase')} must be 1 to 63 letters, digits, _ or -.`);
  }
  const authJwksUrl = get('authJwksUrl').trim();
  if (authJwksUrl && !isKeySetUrl(authJwksUrl)) {
    throw new ConfigError(`${where('authJwksUrl')} must be an https URL (http only for localhost).`);
  }
  const authIssuer = get('authIssuer').trim();
  const authAudience = get('authAudience').trim();
  if (!authIssuer || !authAudience) throw new ConfigError(`${where('authIssuer')} and ${where('authAudience')} must not be empty.`);
  return {
    host: get('host').trim(),
    port: integer('port', 0, 65535),
    dataDir: path.resolve(dataDir),
    logLevel: logLevel as LogLevel,
    ...(masterKey ? { masterKey } : {}),
    readYourWritesTimeoutMs: integer('readYourWritesTimeoutMs', 0, 60_000),
    maxBodyBytes: integer('maxBodyBytes', 1024, 100 * 1024 * 1024),
    introspection,
    graphiql: switchable('graphiql', introspection),
    maxQueryTokens: integer('maxQueryTokens', 100, 1_000_000),
    maxQueryDepth: integer('maxQueryDepth', 2, 100),
    maxQueryCost: integer('maxQueryCost', 10, 10_000_000),
    maxBatchOperations: integer('maxBatchOperations', 0, 100),
    rateLimitPerSecond: integer('rateLimitPerSecond', 0, 1_000_000),
    rateLimitBurst: integer('rateLimitBurst', 1, 1_000_000),
    ...timeouts(integer, where),
    maxConnectionsPerAddress: integer('maxConnectionsPerAddress', 0, 1_000_000),
    corsOrigins: parseOrigins(get('corsOrigins'), where('corsOrigins')),
    ...(kurrentdbUrl ? { kurrentdbUrl } : {}),
    trustProxy: boolean('trustProxy'),
    ...(mongodbUrl ? { mongodbUrl } : {}),
    mongodbDatabase,
    ...(mongodbKeysUrl ? { mongodbKeysUrl } : {}),
    leaseTtlMs: integer('leaseTtlMs', 100, 600_000),
    projectionThread: boolean('projectionThread'),
    authIssuer,
    authAudience,
    ...(authJwksUrl ? { authJwksUrl } : {}),
    authClockSkewSeconds: integer('authClockSkewSeconds', 0, 300),
    authMaxTokenLifetimeSeconds:
      get('authMaxTokenLifetimeSeconds').trim().toLowerCase() === 'auto'
        ? maxTokenLifetimeSeconds(authJwksUrl ? { authJwksUrl } : {})
        : integer('authMaxTokenLifetimeSeconds', 60, 366 * 86400),
    retentionDays: integer('retentionDays', 1, 36_500),
    metrics: boolean('metrics'),
    accessGrantMaxMinutes: integer('accessGrantMaxMinutes', 1, 30 * 1440),
    accessGrantApproval: boolean('accessGrantApproval'),
    emergencyAccessMaxMinutes: integer('emergencyAccessMaxMinutes', 1, 1440),
  };
}

/** node:http refuses a headers timeout above the request timeout: said here, at start-up, in one sentence. */
function timeouts(integer: (key: keyof Config, min: number, max: number) => number, where: (key: keyof Config) => string) {
  const requestTimeoutMs = integer('requestTimeoutMs', 1_000, 3_600_000);
  const headersTimeoutMs = integer('headersTimeoutMs', 1_000, 3_600_000);
  if (headersTimeoutMs > requestTimeoutMs) throw new ConfigError(`${where('headersTimeoutMs')} must not exceed ${where('requestTimeoutMs')}.`);
  return { requestTimeoutMs, headersTimeoutMs, keepAliveTimeoutMs: integer('keepAliveTimeoutMs', 0, 3_600_000) };
}

/** `https://a.example, http://localhost:3000` as exact origins; a path, a wildcard or junk is refused. */
function parseOrigins(text: string, where: string): string[] {
  const origins = text.split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin.replace(/\/$/, '')) {
      throw new ConfigError(`${where} must list origins like https://portal.example.com, got "${origin}".`);
    }
  }
  return origins.map((o) => o.replace(/\/$/, ''));
}

function isKeySetUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname));
  } catch {
    return false;
  }
}
