#!/usr/bin/env node
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig, parseFlags, SETTINGS, type Config } from '../server/config.js';
import { createLogger } from '../server/logger.js';
import { startServer } from '../server/app.js';
import { openLedger } from '../server/ledger.js';
import { loadSigningKey } from '../auth/signing-key.js';
import { mintToken, parseTtl, TOKEN_ROLES, type TokenRequest } from '../auth/token-issuer.js';
import { ValidationError } from '../errors.js';
import { requireId } from '../events/publisher/publisher.validation.js';
import { progressBar } from './progress.js';
import { liveHolder, takeServeLock } from './serve-lock.js';

const USAGE = `usage: privacy-ledger <command> [options]

commands:
  serve                  serve GraphQL at http://<host>:<port>/graphql
  rebuild [projection]   drop a projection (default: all) and replay the log into it
  status                 each projection's checkpoint and lag
  token --role ROLE [--oid ID] [--ttl 1h] [--upn EMAIL] [--name NAME]
                         print a bearer token signed with the data directory's key
                         (ROLE: member, operator, auditor, analyst; --oid: AAD object id, random when absent)

options (each also settable by environment variable):
${Object.values(SETTINGS)
  .map((s) => `  ${`${s.flag} <value>`.padEnd(38)} ${s.env.padEnd(28)} ${s.help} (default ${s.default || 'none'})`)
  .join('\n')}`;

/** A failure the user can act on: printed as one sentence, no stack. */
class UsageError extends Error {}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const { raw, rest } = parseFlags(argv);
    const [command, ...args] = rest;
    if (!command || command === 'help' || command === '--help' || command === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return command ? 0 : 2;
    }
    const config = loadConfig(raw);
    switch (command) {
      case 'serve':
        return await serve(config);
      case 'rebuild':
        return await rebuild(config, args[0]);
      case 'status':
        return await status(config);
      case 'token':
        return await token(config, args);
      default:
        throw new UsageError(`unknown command "${command}"; run "privacy-ledger help".`);
    }
  } catch (error) {
    process.stderr.write(`privacy-ledger: ${explain(error)}\n`);
    return 2;
  }
}

async function serve(config: Config): Promise<number> {
  const logger = createLogger(config.logLevel);
  const releaseLock = takeServeLock(config.dataDir);
  let server;
  try {
    server = await startServer(config, logger);
  } catch (error) {
    releaseLock();
    throw error;
  }
  const running = server;
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'draining');
      running
        .close()
        .then(() => resolve(0), (error: unknown) => {
          logger.error({ error: explain(error) }, 'shutdown failed');
          resolve(1);
        })
        .finally(releaseLock);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

async function rebuild(config: Config, only: string | undefined): Promise<number> {
  const holder = liveHolder(config.dataDir);
  if (holder !== null) {
    throw new UsageError(`a server (pid ${holder}) is running on ${config.dataDir}; stop it before rebuilding.`);
  }
  const ledger = openLedger(config);
  try {
    const names = only ? [only] : ledger.runner.names;
    if (only && !ledger.runner.names.includes(only)) {
      throw new UsageError(`unknown projection "${only}"; known: ${ledger.runner.names.join(', ')}.`);
    }
    for (const name of names) {
      const bar = progressBar(`rebuilding ${name}`);
      bar.update(0, await ledger.events.headPosition());
      await ledger.runner.rebuild(name, (done, total) => bar.update(done, total));
      bar.done();
      process.stdout.write(`${name}: rebuilt\n`);
    }
    return 0;
  } finally {
    await ledger.close();
  }
}

async function status(config: Config): Promise<number> {
  const ledger = openLedger(config);
  try {
    const rows = await ledger.runner.status();
    const head = await ledger.events.headPosition();
    process.stdout.write(`log head: ${head}\n`);
    process.stdout.write(`${'projection'.padEnd(20)} ${'checkpoint'.padStart(12)} ${'lag'.padStart(10)}\n`);
    for (const row of rows) {
      process.stdout.write(`${row.name.padEnd(20)} ${String(row.checkpoint).padStart(12)} ${String(row.lag).padStart(10)}\n`);
    }
    return 0;
  } finally {
    await ledger.close();
  }
}

async function token(config: Config, args: readonly string[]): Promise<number> {
  if (config.authJwksUrl) {
    throw new UsageError('AUTH_JWKS_URL is set: tokens come from Entra ID, not from this command.');
  }
  const options = tokenOptions(args);
  const role = options.get('--role');
  if (!role) throw new UsageError(`token needs --role (${TOKEN_ROLES.join(', ')}).`);
  if (!(TOKEN_ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${TOKEN_ROLES.join(', ')}.`);
  const oid = options.get('--oid');
  const ttl = options.get('--ttl');
  const upn = options.get('--upn');
  const name = options.get('--name');
  const key = await loadSigningKey(config.dataDir);
  const jwt = await mintToken(key, config.authIssuer, config.authAudience, {
    role: role as TokenRequest['role'],
    ...(oid ? { oid: requireId('--oid', oid) } : {}),
    ...(ttl ? { ttlSeconds: parseTtl(ttl) } : {}),
    ...(upn ? { userPrincipalName: upn } : {}),
    ...(name ? { displayName: name } : {}),
  });
  process.stdout.write(`${jwt}\n`);
  return 0;
}

/** `--name value` / `--name=value` pairs of the token command. */
function tokenOptions(args: readonly string[]): Map<string, string> {
  const known = ['--role', '--oid', '--ttl', '--upn', '--name'];
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!known.includes(flag!)) throw new UsageError(`unknown option "${flag}" for token; known: ${known.join(', ')}.`);
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`${flag} needs a value.`);
    options.set(flag!, value);
  }
  return options;
}

function explain(error: unknown): string {
  if (error instanceof ConfigError || error instanceof UsageError) return error.message;
  if (error instanceof ValidationError) return `${error.field} ${error.rule}.`;
  const code = (error as { code?: unknown })?.code;
  if (code === 'EADDRINUSE') return 'the port is already in use; choose another with --port or PORT.';
  if (code === 'EACCES') return 'permission denied (the port or the data directory); check --port and --data-dir.';
  const message = error instanceof Error ? error.message : String(error);
  return `could not run: ${message.replace(/\s+/g, ' ')}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
