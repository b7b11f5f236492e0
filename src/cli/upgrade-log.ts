import fs from 'node:fs';
import path from 'node:path';
import { upgradeLogFormat } from '../events/store/sqlite/log-format.js';
import { EMBEDDED_LOG_FILE } from '../events/store/sqlite/sqlite-event-store.js';
import type { Config } from '../server/config.js';
import { UsageError } from './args.js';
import { requireLedger } from './data-dir.js';
import { liveHolder } from './serve-lock.js';

/**
 * `upgrade-log`: rewrites an embedded log created before issue 25 into the
 * current file format (one page fewer per commit, or two:
 * docs/operations.md#the-logs-file-format-and-upgrades). Such a log works
 * as it is without this. Refused while a server serves the data directory:
 * the rewrite holds the log's write lock for as long as it copies.
 */
export function upgradeLogCommand(config: Config): number {
  if (config.kurrentdbUrl) throw new UsageError('the log is in KurrentDB (--kurrentdb-url): no log file to upgrade.');
  requireLedger(config);
  const holder = liveHolder(config.dataDir);
  if (holder !== null) {
    throw new UsageError(`a server (pid ${holder}) is running on ${config.dataDir}; stop it before upgrading the log.`);
  }
  const file = path.join(config.dataDir, EMBEDDED_LOG_FILE);
  if (!fs.existsSync(file)) throw new UsageError(`no ${EMBEDDED_LOG_FILE} in ${config.dataDir}: nothing to upgrade.`);
  const rewritten = upgradeLogFormat(file);
  process.stdout.write(
    rewritten === undefined
      ? `${EMBEDDED_LOG_FILE} is already in the current format: nothing to do\n`
      : `${EMBEDDED_LOG_FILE} upgraded: ${rewritten} events rewritten, positions and hashes unchanged\n`,
  );
  return 0;
}
