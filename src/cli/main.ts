#!/usr/bin/env node
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig, parseFlags, SETTINGS, type Config } from '../server/config.js';
import { createLogger } from '../server/logger.js';
import { startServer } from '../server/app.js';
import { openLedger } from '../server/ledger.js';
import { DomainError } from '../errors.js';
import { exportCommand, replayCommand, UsageError } from './audit-commands.js';
import { progressBar } from './progress.js';
import { liveHolder, takeServeLock } from './serve-lock.js';

const USAGE = `usage: privacy-ledger <command> [options]

commands:
  serve                  serve GraphQL at http://<host>:<port>/graphql
  rebuild [projection]   drop a projection (default: all) and replay the log into it
  status                 each projection's checkpoint and lag
  export --publisher ID [--format jsonl|csv] [--from ISO] [--to ISO] [--out FILE]
                         the publisher's and its offers' change histories (default jsonl, to stdout)
  replay --publisher ID  the same histories as a readable timeline
  retention              destroy the month keys past the retention period (--retention-days):
                         privacy request requesters (retention/<YYYY-MM>), client IP and user agent (client/<YYYY-MM>)

options (each also settable by environment variable):
${Object.values(SETTINGS)
  .map((s) => `  ${`${s.flag} <value>`.padEnd(38)} ${s.env.padEnd(28)} ${s.help} (default ${s.default || 'none'})`)
  .join('\n')}`;

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
      case 'export':
        return await exportCommand(config, args);
      case 'replay':
        return await replayCommand(config, args);
      case 'retention':
        return await retention(config);
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

/** For a data directory no server is serving (a server applies retention itself, at start and daily). */
async function retention(config: Config): Promise<number> {
  const holder = liveHolder(config.dataDir);
  if (holder !== null) {
    // The server caches unwrapped keys (it would keep reading a destroyed month), and applies retention itself.
    throw new UsageError(
      `a server (pid ${holder}) is running on ${config.dataDir} and applies retention itself (at start and daily); stop it before running retention by hand.`,
    );
  }
  const ledger = openLedger(config);
  try {
    const { destroyed, throughMonth } = await ledger.retention.run();
    process.stdout.write(`retention ${config.retentionDays} days: months through ${throughMonth} are past it\n`);
    for (const subject of destroyed) process.stdout.write(`destroyed ${subject}\n`);
    if (destroyed.length === 0) process.stdout.write('nothing to destroy\n');
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

function explain(error: unknown): string {
  if (error instanceof ConfigError || error instanceof UsageError || error instanceof DomainError) return error.message;
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
