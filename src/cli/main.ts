#!/usr/bin/env node
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { loadConfig, type Config } from '../server/config.js';
import { settingsHelp } from '../server/settings-doc.js';
import { createLogger } from '../server/logger.js';
import { startLedger } from '../server/serving-ledger.js';
import { assertNever } from '../assert-never.js';
import { parseCommandLine } from './args.js';
import { exportCommand, replayCommand } from './audit-commands.js';
import { prepareDataDir } from './data-dir.js';
import { openProjectLedger } from './project-ledger.js';
import { explain } from './explain.js';
import { rebuild, retention, status, verify } from './ledger-commands.js';
import { rotateMasterKeyCommand } from './rotate-master-key.js';
import { seedCommand } from './seed-command.js';
import { tokenCommand } from './token-command.js';
import { upgradeLogCommand } from './upgrade-log.js';
import { takeServeLock } from './serve-lock.js';
import { serveWorkerMetrics, type WorkerEndpoint } from './worker-metrics.js';

const USAGE = `usage: privacy-ledger <command> [options]

commands:
  serve                  serve GraphQL at http://<host>:<port>/graphql
  project                run the projections without the API, until SIGTERM/SIGINT; with
                         several workers one runs each projection, the others take over;
                         with METRICS=true it serves /metrics, /healthz and /readyz on PORT
  rebuild [projection]   drop a projection (default: all) and replay the log into it
    --online             build the new read model beside the old one, catch it up, then
                         switch at once; servers and workers keep running and answering
  status                 each projection's checkpoint, lag, and which worker runs it
  export --publisher ID [--format jsonl|csv] [--from ISO] [--to ISO] [--out FILE]
                         the publisher's and its offers' change histories (default jsonl, to stdout)
  replay --publisher ID  the same histories as a readable timeline
  doctor [--conformance] check the configured stores, one line each (with --conformance, a round trip of each port)
  seed                   fill a new data directory with demo publishers, accounts, offers, erasures and a closure
  verify                 recompute the whole log's hash chain; exit 1 at the first broken link
  token --role ROLE [--oid ID] [--ttl 1h] [--upn EMAIL] [--name NAME]
                         print a bearer token signed with the data directory's key
                         (ROLE: member, operator, auditor, analyst; --oid: AAD object id, random when absent)
  rotate-master-key [--new-master-key BASE64]
                         re-wrap every data key under a new master key (generated into
                         <data-dir>/master.key when not given); the server must be stopped
  retention              destroy the month keys past the retention period (--retention-days):
                         privacy request requesters (retention/<YYYY-MM>), client IP and user agent (client/<YYYY-MM>)
  upgrade-log            rewrite a log created before issue 25 into the current file format (fewer pages
                         written per append; such a log also works as it is); the server must be stopped

options (each also settable by environment variable; unknown ones are refused):
${settingsHelp()}`;

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const { command, settings, options, positionals } = parseCommandLine(argv);
    if (command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return argv.length === 0 ? 2 : 0;
    }
    const config = loadConfig(settings);
    switch (command) {
      case 'serve':
        return await serve(config);
      case 'project':
        return await project(config);
      case 'seed':
        return await seedCommand(config);
      case 'rebuild':
        return await rebuild(config, positionals[0], options.has('--online'));
      case 'status':
        return await status(config);
      case 'export':
        return await exportCommand(config, options);
      case 'replay':
        return await replayCommand(config, options);
      case 'verify':
        return await verify(config);
      case 'token':
        return await tokenCommand(config, options);
      case 'rotate-master-key':
        return await rotateMasterKeyCommand(config, options);
      case 'retention':
        return await retention(config);
      case 'doctor':
        // loaded here: with its MongoDB checks it loads the MongoDB driver, which serve does not need
        return await (await import('./doctor.js')).doctorCommand(config, options);
      case 'upgrade-log':
        return upgradeLogCommand(config);
      default:
        return assertNever(command);
    }
  } catch (error) {
    process.stderr.write(`privacy-ledger: ${explain(error)}\n`);
    return 2;
  }
}

async function serve(config: Config): Promise<number> {
  prepareDataDir(config.dataDir);
  const logger = createLogger(config.logLevel);
  const releaseLock = takeServeLock(config.dataDir);
  // The stores open and the projections start catching up while the GraphQL server loads (on a first
  // start from a long log, what takes longest is that catch-up: docs/performance.md).
  const started = startLedger(config, logger);
  started.catch(() => undefined); // its failure is met below
  let server;
  try {
    // Loaded here, not at the top: the GraphQL server is half of what the CLI loads
    // (about 0.6 s of CPU), and no other command needs it.
    const loading = import('../server/app.js');
    const { startServer } = await loading.catch(async (error: unknown) => {
      await started.then(
        ({ ledger }) => ledger.close(),
        () => undefined,
      );
      throw error;
    });
    server = await startServer(config, logger, {}, started);
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
  prepareDataDir(config.dataDir);
  const logger = createLogger(config.logLevel);
  const ledger = await openProjectLedger(config, logger);
  try {
    await ledger.runner.start();
  } catch (error) {
    await ledger.close();
    throw error;
  }
  let endpoint: WorkerEndpoint | undefined;
  try {
    endpoint = config.metrics ? await serveWorkerMetrics(config, ledger) : undefined;
  } catch (error) {
    await ledger.close();
    throw error;
  }
  logger.info(
    {
      projections: ledger.runner.names,
      readModels: config.mongodbUrl ? 'mongodb' : 'sqlite',
      ...(endpoint ? { metrics: `${endpoint.url}/metrics` } : {}),
    },
    'privacy-ledger is projecting',
  );
  return untilSignal(logger, async () => {
    await endpoint?.close();
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
        .then(
          () => resolve(0),
          (error: unknown) => {
            logger.error({ error: explain(error) }, 'shutdown failed');
            resolve(1);
          },
        )
        .finally(after);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
