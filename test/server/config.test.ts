import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseFlags } from '../../src/server/config.js';

describe('configuration', () => {
  it('defaults to port 4000 on loopback with data in ./data', () => {
    const config = loadConfig({}, {});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 4000, dataDir: path.resolve('data'), logLevel: 'info' });
  });

  it('verifies tokens with the embedded key by default, and with Entra ID once its JWKS URL, issuer and audience are set', () => {
    expect(loadConfig({}, {})).toMatchObject({ authIssuer: 'privacy-ledger-local', authAudience: 'privacy-ledger', authClockSkewSeconds: 60 });
    expect(loadConfig({}, {}).authJwksUrl).toBeUndefined();
    const tenant = 'https://login.microsoftonline.com/0d5e7a11-0000-4000-8000-00000000f00d';
    const entra = loadConfig({}, { AUTH_JWKS_URL: `${tenant}/discovery/v2.0/keys`, AUTH_ISSUER: `${tenant}/v2.0`, AUTH_AUDIENCE: 'api://privacy-ledger' });
    expect(entra).toMatchObject({ authJwksUrl: `${tenant}/discovery/v2.0/keys`, authIssuer: `${tenant}/v2.0`, authAudience: 'api://privacy-ledger' });
  });

  it('flags win over environment variables', () => {
    const { raw, rest } = parseFlags(['serve', '--port', '5000', '--data-dir=/tmp/x']);
    expect(rest).toEqual(['serve']);
    const config = loadConfig(raw, { PORT: '6000', DATA_DIR: '/tmp/y', LOG_LEVEL: 'debug' });
    expect(config).toMatchObject({ port: 5000, dataDir: '/tmp/x', logLevel: 'debug' });
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
    [{ AUTH_JWKS_URL: 'http://login.example.com/keys' }, '--auth-jwks-url / AUTH_JWKS_URL must be an https URL (http only for localhost)'],
    [{ AUTH_JWKS_URL: 'keys.json' }, '--auth-jwks-url / AUTH_JWKS_URL must be an https URL'],
    [{ AUTH_AUDIENCE: ' ' }, 'must not be empty'],
    [{ AUTH_CLOCK_SKEW_SECONDS: '3600' }, '--auth-clock-skew-seconds / AUTH_CLOCK_SKEW_SECONDS must be a whole number from 0 to 300'],
  ])('%j is refused with one sentence naming the setting', (env, sentence) => {
    expect(() => loadConfig({}, env)).toThrow(sentence);
  });
});
