import path from 'node:path';

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
  introspection: boolean;
  /** a MongoDB replica set for read models, keys and leases; absent: SQLite files in the data directory */
  mongodbUrl?: string;
  mongodbDatabase: string;
  /** a separate replica set for the keys (a short oplog window, its own backups); default: mongodbUrl */
  mongodbKeysUrl?: string;
  /** how long a projection lease lasts without renewal: how long a dead worker's projections wait */
  leaseTtlMs: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {}

/** Each setting: its flag, its environment variable, its default, and what it means (README table). */
export const SETTINGS = {
  host: { flag: '--host', env: 'HOST', default: '127.0.0.1', help: 'interface to listen on' },
  port: { flag: '--port', env: 'PORT', default: '4000', help: 'HTTP port' },
  dataDir: { flag: '--data-dir', env: 'DATA_DIR', default: './data', help: 'where the SQLite files and keys live' },
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
  introspection: { flag: '--introspection', env: 'INTROSPECTION', default: 'true', help: 'allow schema introspection' },
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
  leaseTtlMs: { flag: '--lease-ttl-ms', env: 'LEASE_TTL_MS', default: '15000', help: "how long a projection lease lasts unrenewed (a dead worker's projections wait that long)" },
} as const satisfies Record<keyof Config, { flag: string; env: string; default: string; help: string }>;

type Raw = Partial<Record<keyof Config, string>>;

/** Reads `--flag value` / `--flag=value` pairs for the known settings; other arguments are returned. */
export function parseFlags(argv: readonly string[]): { raw: Raw; rest: string[] } {
  const raw: Raw = {};
  const rest: string[] = [];
  const byFlag = new Map<string, keyof Config>(Object.entries(SETTINGS).map(([key, s]) => [s.flag, key as keyof Config]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const key = byFlag.get(flag!);
    if (!key) {
      rest.push(arg);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`${flag} needs a value.`);
    raw[key] = value;
  }
  return { raw, rest };
}

export function loadConfig(flags: Raw, env: NodeJS.ProcessEnv = process.env): Config {
  const get = (key: keyof Config): string => flags[key] ?? env[SETTINGS[key].env] ?? SETTINGS[key].default;
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
  const introspection = get('introspection').trim().toLowerCase();
  if (!['true', 'false'].includes(introspection)) {
    throw new ConfigError(`${where('introspection')} must be true or false.`);
  }
  const dataDir = get('dataDir').trim();
  if (!dataDir) throw new ConfigError(`${where('dataDir')} must not be empty.`);
  const masterKey = get('masterKey').trim();
  if (masterKey && Buffer.from(masterKey, 'base64').length !== 32) {
    throw new ConfigError(`${where('masterKey')} must be the base64 encoding of exactly 32 bytes (e.g. openssl rand -base64 32).`);
  }
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
  return {
    host: get('host').trim(),
    port: integer('port', 0, 65535),
    dataDir: path.resolve(dataDir),
    logLevel: logLevel as LogLevel,
    ...(masterKey ? { masterKey } : {}),
    readYourWritesTimeoutMs: integer('readYourWritesTimeoutMs', 0, 60_000),
    maxBodyBytes: integer('maxBodyBytes', 1024, 100 * 1024 * 1024),
    introspection: introspection === 'true',
    ...(mongodbUrl ? { mongodbUrl } : {}),
    mongodbDatabase,
    ...(mongodbKeysUrl ? { mongodbKeysUrl } : {}),
    leaseTtlMs: integer('leaseTtlMs', 100, 600_000),
  };
}
