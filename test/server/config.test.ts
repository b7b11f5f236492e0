import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseFlags } from '../../src/server/config.js';

describe('configuration', () => {
  it('defaults to port 4000 on loopback with data in ./data', () => {
    const config = loadConfig({}, {});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 4000, dataDir: path.resolve('data'), logLevel: 'info' });
  });

  it('flags win over environment variables', () => {
    const { raw, rest } = parseFlags(['serve', '--port', '5000', '--data-dir=/tmp/x']);
    expect(rest).toEqual(['serve']);
    const config = loadConfig(raw, { PORT: '6000', DATA_DIR: '/tmp/y', LOG_LEVEL: 'debug' });
    expect(config).toMatchObject({ port: 5000, dataDir: '/tmp/x', logLevel: 'debug' });
  });

  it('reads the MongoDB settings, and never echoes a connection string that may hold credentials', () => {
    const masterKey = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig({}, { MONGODB_URL: 'mongodb://u:p@db1,db2/?replicaSet=rs0', PRIVACY_LEDGER_MASTER_KEY: masterKey, MONGODB_DATABASE: 'ledger' });
    expect(config).toMatchObject({ mongodbUrl: 'mongodb://u:p@db1,db2/?replicaSet=rs0', mongodbDatabase: 'ledger', leaseTtlMs: 15_000 });
    expect(loadConfig({}, {})).toMatchObject({ mongodbDatabase: 'privacy_ledger' });
    expect(loadConfig({}, {}).mongodbUrl).toBeUndefined();
    expect(() => loadConfig({}, { MONGODB_URL: 'mongo://u:secret@db' })).toThrow(/^(?!.*secret)/);
  });

  it('a flag without a value is refused', () => {
    expect(() => parseFlags(['serve', '--port'])).toThrow(ConfigError);
  });

  it.each([
    [{ PORT: '70000' }, '--port / PORT must be a whole number from 0 to 65535'],
    [{ PORT: '4e3' }, '--port / PORT'],
    [{ LOG_LEVEL: 'verbose' }, '--log-level / LOG_LEVEL must be one of'],
    [{ DATA_DIR: '  ' }, '--data-dir / DATA_DIR must not be empty'],
    [{ PRIVACY_LEDGER_MASTER_KEY: 'dG9vLXNob3J0' }, '--master-key / PRIVACY_LEDGER_MASTER_KEY must be the base64 encoding of exactly 32 bytes'],
    [{ INTROSPECTION: 'maybe' }, '--introspection / INTROSPECTION must be true or false'],
    [{ MONGODB_URL: 'http://user:secret@db' }, '--mongodb-url / MONGODB_URL must be a mongodb:// or mongodb+srv:// connection string.'],
    [{ MONGODB_URL: 'mongodb://db1,db2/?replicaSet=rs0' }, 'with --mongodb-url / MONGODB_URL, set --master-key / PRIVACY_LEDGER_MASTER_KEY'],
    [{ MONGODB_KEYS_URL: 'mongodb://keys/?replicaSet=k' }, '--mongodb-keys-url / MONGODB_KEYS_URL needs --mongodb-url / MONGODB_URL.'],
    [{ MONGODB_DATABASE: 'a/b' }, '--mongodb-database / MONGODB_DATABASE must be'],
    [{ LEASE_TTL_MS: '10' }, '--lease-ttl-ms / LEASE_TTL_MS must be a whole number from 100 to 600000'],
  ])('%j is refused with one sentence naming the setting', (env, sentence) => {
    expect(() => loadConfig({}, env)).toThrow(sentence);
  });
});
