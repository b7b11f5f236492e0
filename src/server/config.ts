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
  /** the `iss` every token must carry */
  authIssuer: string;
  /** the `aud` every token must carry */
  authAudience: string;
  /** Entra ID's signing keys; when absent, tokens are verified with the embedded key in the data directory */
  authJwksUrl?: string;
  /** how far `exp` and `nbf` may be off */
  authClockSkewSeconds: number;
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
  authClockSkewSeconds: { flag: '--auth-clock-skew-seconds', env: 'AUTH_CLOCK_SKEW_SECONDS', default: '60', help: 'allowed clock skew for exp and nbf' },
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
    introspection: introspection === 'true',
    authIssuer,
    authAudience,
    ...(authJwksUrl ? { authJwksUrl } : {}),
    authClockSkewSeconds: integer('authClockSkewSeconds', 0, 300),
  };
}

function isKeySetUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname));
  } catch {
    return false;
  }
}
