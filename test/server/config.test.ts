import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../../src/cli/args.js';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import { SETTING_NAMES, SETTINGS, whereOf } from '../../src/server/settings.js';

describe('configuration', () => {
  it('defaults to port 4000 on loopback with data in ./data', () => {
    const config = loadConfig({}, {});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 4000, dataDir: path.resolve('data'), logLevel: 'info' });
  });

  it('verifies tokens with the embedded key by default, and with Entra ID once its JWKS URL, issuer and audience are set', () => {
    expect(loadConfig({}, {})).toMatchObject({
      authIssuer: 'privacy-ledger-local',
      authAudience: 'privacy-ledger',
      authClockSkewSeconds: 60,
    });
    expect(loadConfig({}, {}).authJwksUrl).toBeUndefined();
    const tenant = 'https://login.microsoftonline.com/0d5e7a11-0000-4000-8000-00000000f00d';
    const entra = loadConfig(
      {},
      {
        AUTH_JWKS_URL: `${tenant}/discovery/v2.0/keys`,
        AUTH_ISSUER: `${tenant}/v2.0`,
        AUTH_AUDIENCE: 'api://privacy-ledger',
      },
    );
    expect(entra).toMatchObject({
      authJwksUrl: `${tenant}/discovery/v2.0/keys`,
      authIssuer: `${tenant}/v2.0`,
      authAudience: 'api://privacy-ledger',
    });
  });

  it('times out slow requests after 30 s (headers 10 s), idle keep-alive after 5 s, and caps connections per address at 256', () => {
    expect(loadConfig({}, {})).toMatchObject({
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 5_000,
      maxConnectionsPerAddress: 256,
    });
    expect(() => loadConfig({}, { REQUEST_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '10000' })).toThrow(
      '--headers-timeout-ms / HEADERS_TIMEOUT_MS must not exceed --request-timeout-ms / REQUEST_TIMEOUT_MS.',
    );
    expect(loadConfig({}, { MAX_CONNECTIONS_PER_ADDRESS: '0' }).maxConnectionsPerAddress).toBe(0);
  });

  it('accepts tokens living at most 30 days from the embedded key, a day from Entra ID, or as set', () => {
    expect(loadConfig({}, {}).authMaxTokenLifetimeSeconds).toBe(30 * 86400);
    expect(
      loadConfig({}, { AUTH_JWKS_URL: 'https://login.microsoftonline.com/t/discovery/v2.0/keys' })
        .authMaxTokenLifetimeSeconds,
    ).toBe(86400);
    expect(loadConfig({}, { AUTH_MAX_TOKEN_LIFETIME_SECONDS: '3600' }).authMaxTokenLifetimeSeconds).toBe(3600);
    expect(() => loadConfig({}, { AUTH_MAX_TOKEN_LIFETIME_SECONDS: '1e300' })).toThrow(ConfigError);
  });

  it('flags win over environment variables', () => {
    const { command, settings } = parseCommandLine(['serve', '--port', '5000', '--data-dir=/tmp/x']);
    expect(command).toBe('serve');
    const config = loadConfig(settings, { PORT: '6000', DATA_DIR: '/tmp/y', LOG_LEVEL: 'debug' });
    expect(config).toMatchObject({ port: 5000, dataDir: '/tmp/x', logLevel: 'debug' });
  });

  it('reads the MongoDB settings, and never echoes a connection string that may hold credentials', () => {
    const masterKey = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig(
      {},
      {
        MONGODB_URL: 'mongodb://u:p@db1,db2/?replicaSet=rs0',
        PRIVACY_LEDGER_MASTER_KEY: masterKey,
        MONGODB_DATABASE: 'ledger',
      },
    );
    expect(config).toMatchObject({
      mongodbUrl: 'mongodb://u:p@db1,db2/?replicaSet=rs0',
      mongodbDatabase: 'ledger',
      leaseTtlMs: 15_000,
    });
    expect(loadConfig({}, {})).toMatchObject({ mongodbDatabase: 'privacy_ledger' });
    expect(loadConfig({}, {}).mongodbUrl).toBeUndefined();
    expect(() => loadConfig({}, { MONGODB_URL: 'mongo://u:secret@db' })).toThrow(/^(?!.*secret)/);
  });

  it('a flag without a value is refused, also when an option follows it', () => {
    expect(() => parseCommandLine(['serve', '--port'])).toThrow(UsageError);
    expect(() => parseCommandLine(['serve', '--port', '--data-dir', '/tmp/x'])).toThrow('--port needs a value.');
  });

  it('an unknown flag or PRIVACY_LEDGER_ variable is refused with the closest known name', () => {
    expect(() => parseCommandLine(['serve', '--prot', '4151'])).toThrow(
      'unknown option --prot for serve. Did you mean --port?',
    );
    expect(() => parseCommandLine(['export', '--publsher', 'x'])).toThrow('Did you mean --publisher?');
    expect(() => parseCommandLine(['rebuild', '--online=yes'])).toThrow('--online takes no value.');
    expect(() => loadConfig({}, { PRIVACY_LEDGER_HOST: '0.0.0.0' })).toThrow(
      'unknown environment variable PRIVACY_LEDGER_HOST. Did you mean HOST?',
    );
    // Another program's variables are not ours to judge.
    expect(
      loadConfig({}, { PRIVACY_LEDGER_MASTER_KEY: Buffer.alloc(32).toString('base64'), POSTGRES_PORT: '5432' }).port,
    ).toBe(4000);
  });

  it.each([
    [{ PORT: '70000' }, '--port / PORT must be a whole number from 0 to 65535'],
    [{ PORT: '4e3' }, '--port / PORT'],
    [{ LOG_LEVEL: 'verbose' }, '--log-level / LOG_LEVEL must be one of'],
    [{ DATA_DIR: '  ' }, '--data-dir / DATA_DIR must not be empty'],
    [
      { PRIVACY_LEDGER_MASTER_KEY: 'dG9vLXNob3J0' },
      '--master-key / PRIVACY_LEDGER_MASTER_KEY must be the base64 encoding of exactly 32 bytes',
    ],
    [{ INTROSPECTION: 'maybe' }, '--introspection / INTROSPECTION must be true, false or auto'],
    [{ GRAPHIQL: 'yes' }, '--graphiql / GRAPHIQL must be true, false or auto'],
    [{ MAX_QUERY_DEPTH: '1' }, '--max-query-depth / MAX_QUERY_DEPTH must be a whole number from 2 to 100'],
    [{ MAX_QUERY_COST: 'lots' }, '--max-query-cost / MAX_QUERY_COST must be a whole number'],
    [
      { MAX_BATCH_OPERATIONS: '-1' },
      '--max-batch-operations / MAX_BATCH_OPERATIONS must be a whole number from 0 to 100',
    ],
    [{ RATE_LIMIT_BURST: '0' }, '--rate-limit-burst / RATE_LIMIT_BURST must be a whole number from 1'],
    [{ CORS_ORIGINS: '*' }, '--cors-origins / CORS_ORIGINS must list origins like https://portal.example.com, got "*"'],
    [{ CORS_ORIGINS: 'https://portal.example.com/app' }, 'got "https://portal.example.com/app"'],
    [{ CORS_ORIGINS: 'ftp://portal.example.com' }, 'got "ftp://portal.example.com"'],
    [
      { MONGODB_URL: 'http://user:secret@db' },
      '--mongodb-url / MONGODB_URL must be a mongodb:// or mongodb+srv:// connection string.',
    ],
    [
      { MONGODB_URL: 'mongodb://db1,db2/?replicaSet=rs0' },
      'with --mongodb-url / MONGODB_URL, set --master-key / PRIVACY_LEDGER_MASTER_KEY',
    ],
    [
      { MONGODB_KEYS_URL: 'mongodb://keys/?replicaSet=k' },
      '--mongodb-keys-url / MONGODB_KEYS_URL needs --mongodb-url / MONGODB_URL.',
    ],
    [{ MONGODB_DATABASE: 'a/b' }, '--mongodb-database / MONGODB_DATABASE must be'],
    [{ LEASE_TTL_MS: '10' }, '--lease-ttl-ms / LEASE_TTL_MS must be a whole number from 100 to 600000'],
    [
      { AUTH_JWKS_URL: 'http://login.example.com/keys' },
      '--auth-jwks-url / AUTH_JWKS_URL must be an https URL (http only for localhost)',
    ],
    [{ AUTH_JWKS_URL: 'keys.json' }, '--auth-jwks-url / AUTH_JWKS_URL must be an https URL'],
    [{ AUTH_AUDIENCE: ' ' }, 'must not be empty'],
    [
      { AUTH_CLOCK_SKEW_SECONDS: '3600' },
      '--auth-clock-skew-seconds / AUTH_CLOCK_SKEW_SECONDS must be a whole number from 0 to 300',
    ],
  ])('%j is refused with one sentence naming the setting', (env, sentence) => {
    expect(() => loadConfig({}, env)).toThrow(sentence);
  });

  // Settings whose value is free text (a host name, a path, an issuer, an audience); every other one refuses junk.
  const freeText = ['host', 'dataDir', 'authIssuer', 'authAudience'];
  it.each(SETTING_NAMES)('a nonsense %s is refused with one sentence that starts by naming the setting', (name) => {
    const load = () => loadConfig({}, { [SETTINGS[name].env]: 'no such value' });
    if (freeText.includes(name)) {
      expect(load).not.toThrow();
    } else {
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(new RegExp(`^${whereOf(name)} `));
    }
  });

  it('hardening defaults: batching off, rate limit on, no cross-origin callers, introspection and the IDE on in development', () => {
    expect(loadConfig({}, {})).toMatchObject({
      introspection: true,
      graphiql: true,
      maxQueryDepth: 15,
      maxQueryCost: 5000,
      maxBatchOperations: 0,
      rateLimitPerSecond: 20,
      rateLimitBurst: 100,
      corsOrigins: [],
    });
  });

  it('NODE_ENV=production turns introspection and the IDE off unless set explicitly', () => {
    expect(loadConfig({}, { NODE_ENV: 'production' })).toMatchObject({ introspection: false, graphiql: false });
    expect(loadConfig({}, { NODE_ENV: 'production', INTROSPECTION: 'true' })).toMatchObject({
      introspection: true,
      graphiql: true,
    });
    expect(loadConfig({}, { INTROSPECTION: 'true', GRAPHIQL: 'false' })).toMatchObject({
      introspection: true,
      graphiql: false,
    });
  });

  it('CORS_ORIGINS is a comma-separated list of exact origins', () => {
    const config = loadConfig({}, { CORS_ORIGINS: ' https://portal.example.com, http://localhost:3000/ ' });
    expect(config.corsOrigins).toEqual(['https://portal.example.com', 'http://localhost:3000']);
  });

  it('without a KurrentDB connection string the log stays embedded; with one it is kept as given', () => {
    expect(loadConfig({}, {}).kurrentdbUrl).toBeUndefined();
    const url =
      'kurrentdb://admin:changeit@node1:2113,node2:2113,node3:2113?tls=true&tlsCAFile=/certs/ca.crt&nodePreference=leader';
    expect(loadConfig({}, { KURRENTDB_URL: ` ${url} ` }).kurrentdbUrl).toBe(url);
    expect(
      loadConfig(parseCommandLine(['serve', '--kurrentdb-url', 'esdb+discover://cluster.internal:2113']).settings, {
        KURRENTDB_URL: url,
      }).kurrentdbUrl,
    ).toBe('esdb+discover://cluster.internal:2113');
  });

  it.each([
    ['mongodb://admin:s3cret-pw@node1:27017', 'must be a KurrentDB connection string'],
    ['admin:s3cret-pw@node1:2113', 'must be a KurrentDB connection string'],
    ['kurrentdb://admin:s3cret-pw@node1:2113?tls=true&tlsVerifyCrt=false', 'has an option the client does not know'],
  ])('a KurrentDB connection string it cannot use is refused without repeating it (%s)', (url, sentence) => {
    let message = '';
    try {
      loadConfig({}, { KURRENTDB_URL: url });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain(`--kurrentdb-url / KURRENTDB_URL ${sentence}`);
    expect(message).not.toContain('s3cret-pw');
  });
});
