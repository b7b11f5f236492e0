#!/usr/bin/env node
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, parseFlags, type Config } from '../server/config.js';
import { SETTINGS } from '../server/settings.js';
import { createLogger } from '../server/logger.js';
import { openLedger, processHolder } from '../server/ledger.js';
import { DomainError, ValidationError } from '../errors.js';
import { exportCommand, replayCommand, UsageError } from './audit-commands.js';
import type { BreakKind } from '../events/integrity.js';
import { rotateMasterKeyCommand } from './rotate-master-key.js';
import { tokenCommand } from './token-command.js';
import { doctorCommand } from './doctor.js';
import { RotationError } from '../privacy/master-key-rotation.js';
import { progressBar } from './progress.js';
import { liveHolder, takeServeLock } from './serve-lock.js';

const USAGE = `usage: privacy-ledger <command> [options]

commands:
  serve                  serve GraphQL at http://<host>:<port>/graphql
  project                run the projections without the API, until SIGTERM/SIGINT; with
                         several workers one runs each projection, the others take over
  rebuild [projection]   drop a projection (default: all) and replay the log into it
    --online             build the new read model beside the old one, catch it up, then
                         switch at once; servers and workers keep running and answering
  status                 each projection's checkpoint, lag, and which worker runs it
  export --publisher ID [--format jsonl|csv] [--from ISO] [--to ISO] [--out FILE]
                         the publisher's and its offers' change histories (default jsonl, to stdout)
  replay --publisher ID  the same histories as a readable timeline
  verify                 recompute the whole log's hash chain; exit 1 at the first broken link
  token --role ROLE [--oid ID] [--ttl 1h] [--upn EMAIL] [--name NAME]
                         print a bearer token signed with the data directory's key
                         (ROLE: member, operator, auditor, analyst; --oid: AAD object id, random when absent)
  rotate-master-key [--new-master-key BASE64]
                         re-wrap every data key under a new master key (generated into
                         <data-dir>/master.key when not given); the server must be stopped
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
      case 'project':
        return await project(config);
      case 'rebuild':
        return await rebuild(config, args.filter((a) => a !== '--online')[0], args.includes('--online'));
      case 'status':
        return await status(config);
      case 'export':
        return await exportCommand(config, args);
      case 'replay':
        return await replayCommand(config, args);
      case 'verify':
        return await verify(config);
      case 'token':
        return await tokenCommand(config, args);
      case 'rotate-master-key':
        return await rotateMasterKeyCommand(config, args);
      case 'retention':
        return await retention(config);
      case 'doctor':
        return await doctorCommand(config, args);
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
    // Loaded here, not at the top: the GraphQL server is half of what the CLI loads
    // (about 0.6 s of CPU), and no other command needs it.
    const { startServer } = await import('../server/app.js');
    server = await startServer(config, logger);
  } catch (error) {
    releaseLock();
    throw error;
  }
  const running = server;
  return untilSignal(logger, () => running.close(), releaseLock);
}

/**
 * The projections alone, as a worker of the distributed shape (or beside
 * an embedded server on the same data directory): each projection runs
 * while this worker holds its lease. A signal drains: the batch in flight
 * commits, subscriptions close, the leases are released for another worker.
 */
async function project(config: Config): Promise<number> {
  const logger = createLogger(config.logLevel);
  const ledger = await openLedger(config, { logger, leaseHolder: processHolder('project') });
  try {
    await ledger.runner.start();
  } catch (error) {
    await ledger.close();
    throw error;
  }
  logger.info({ projections: ledger.runner.names, readModels: config.mongodbUrl ? 'mongodb' : 'sqlite' }, 'privacy-ledger is projecting');
  return untilSignal(logger, async () => {
    await ledger.close();
    logger.info('privacy-ledger stopped');
  });
}

/** Runs until SIGTERM or SIGINT, then `close`; resolves with the exit code. */
function untilSignal(logger: Logger, close: () => Promise<void>, after: () => void = () => undefined): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'draining');
      close()
        .then(() => resolve(0), (error: unknown) => {
          logger.error({ error: explain(error) }, 'shutdown failed');
          resolve(1);
        })
        .finally(after);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

async function rebuild(config: Config, only: string | undefined, online: boolean): Promise<number> {
  const holder = online ? null : liveHolder(config.dataDir);
  if (holder !== null) {
    throw new UsageError(`a server (pid ${holder}) is running on ${config.dataDir}; stop it before rebuilding, or rebuild --online.`);
  }
  const ledger = await openLedger(config, { leaseHolder: processHolder('rebuild') });
  try {
    const names = only ? [only] : ledger.runner.names;
    if (only && !ledger.runner.names.includes(only)) {
      throw new UsageError(`unknown projection "${only}"; known: ${ledger.runner.names.join(', ')}.`);
    }
    for (const name of names) {
      const bar = progressBar(`rebuilding ${name}`);
      bar.update(0, await ledger.events.headPosition());
      const progress = (done: number, total: number) => bar.update(done, total);
      await (online ? ledger.runner.rebuildOnline(name, progress) : ledger.runner.rebuild(name, progress));
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
  const ledger = await openLedger(config);
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
  const ledger = await openLedger(config);
  try {
    const rows = await ledger.runner.status();
    const head = await ledger.events.headPosition();
    process.stdout.write(`log head: ${head}\n`);
    process.stdout.write(`${'projection'.padEnd(20)} ${'checkpoint'.padStart(12)} ${'lag'.padStart(10)}  run by\n`);
    for (const row of rows) {
      const lease = await ledger.leases.current(row.name);
      const runBy = !lease ? '-' : lease.expiresAt > Date.now() ? lease.holder : `nobody (last: ${lease.holder})`;
      process.stdout.write(`${row.name.padEnd(20)} ${String(row.checkpoint).padStart(12)} ${String(row.lag).padStart(10)}  ${runBy}\n`);
    }
    return 0;
  } finally {
    await ledger.close();
  }
}

const breakWords: Record<BreakKind, string> = {
  HASH_MISMATCH: 'hash mismatch (the event was altered)',
  PREV_HASH_MISMATCH: "prev-hash mismatch (the event does not follow its stream's previous event)",
  REVISION_GAP: 'revision gap (an event was removed)',
};

async function verify(config: Config): Promise<number> {
  const ledger = await openLedger(config);
  try {
    const bar = progressBar('verifying');
    const report = await ledger.services.integrity.verifyAll((done, total) => bar.update(done, total));
    bar.done();
    const broken = report.firstBreak;
    if (!broken) {
      process.stdout.write(`verified ${report.eventsChecked} events in ${report.streamsChecked} streams: every link holds\n`);
      return 0;
    }
    process.stdout.write(
      `broken link: stream ${broken.streamId}, revision ${broken.revision}, position ${broken.position}: ${breakWords[broken.kind]}\n` +
        `  expected ${broken.expected}\n  found    ${broken.found}\n`,
    );
    return 1;
  } finally {
    await ledger.close();
  }
}

function explain(error: unknown): string {
  if (error instanceof ValidationError) return `${error.field} ${error.rule}.`;
  if (error instanceof ConfigError || error instanceof UsageError || error instanceof DomainError || error instanceof RotationError) return error.message;
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
