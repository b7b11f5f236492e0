import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DATA_DIR_MODE, DATA_FILE_MODE } from '../data-dir-permissions.js';
import { MASTER_KEY_FILE, MASTER_KEY_SETTING } from '../privacy/keys/master-key.js';
import { isEarlierLogFormat } from '../events/store/sqlite/log-format.js';
import { EMBEDDED_LOG_FILE } from '../events/store/sqlite/sqlite-event-store.js';
import type { Config } from '../server/config.js';
import { openLedger, processHolder, type Ledger } from '../server/ledger.js';
import { runConformance } from './doctor-conformance.js';
import { distributedChecks } from './doctor-distributed.js';
import type { Finding } from './doctor-finding.js';

/** One line of the report. `fail`: an operator must fix it (the exit code says so); `warn`: worth a look. */
const LABEL: Record<Finding['status'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', info: '    ' };
const write = (finding: Finding) =>
  process.stdout.write(`${LABEL[finding.status]}  ${finding.check}: ${finding.detail}\n`);

/**
 * `doctor [--conformance]`: checks the configured stores, one line per
 * check, and exits 1 when one fails. It reads and writes no ledger data
 * (the conformance round trip writes in a scratch namespace of its own).
 * Nothing it prints holds personal data or a secret: modes, versions,
 * positions, hashes, names of projections and of settings.
 */
export async function doctorCommand(config: Config, options: ReadonlyMap<string, string>): Promise<number> {
  const findings: Finding[] = [];
  const report = (finding: Finding) => (findings.push(finding), write(finding));
  process.stdout.write(
    `shape: log on ${config.kurrentdbUrl ? 'KurrentDB' : 'SQLite'}, read models and keys on ${config.mongodbUrl ? 'MongoDB' : 'SQLite'}\n`,
  );
  const usable = dataDirChecks(config, report);
  if (config.kurrentdbUrl || config.mongodbUrl) for (const finding of await distributedChecks(config)) report(finding);
  if (usable) await ledgerChecks(config, report);
  if (options.has('--conformance')) {
    const { where, rows } = await runConformance(config);
    process.stdout.write(`\nconformance (${where})\n  ${'port'.padEnd(12)} ${'check'.padEnd(48)} result\n`);
    for (const row of rows) {
      process.stdout.write(
        `  ${row.port.padEnd(12)} ${row.check.padEnd(48)} ${row.passed ? 'pass' : `FAIL  ${row.detail ?? ''}`}\n`,
      );
      if (!row.passed) findings.push({ status: 'fail', check: `conformance: ${row.port}`, detail: row.check });
    }
  }
  const failed = findings.filter((f) => f.status === 'fail').length;
  process.stdout.write(failed === 0 ? '\nnothing to fix\n' : `\n${failed} to fix\n`);
  return failed === 0 ? 0 : 1;
}

/** The data directory and the master key, checked before anything opens them (opening would create and tighten). */
function dataDirChecks(config: Config, report: (f: Finding) => void): boolean {
  const dir = config.dataDir;
  if (!fs.existsSync(dir)) {
    report({
      status: 'fail',
      check: 'data directory',
      detail: `${dir} does not exist (the first serve creates it; check --data-dir / DATA_DIR)`,
    });
    return false;
  }
  const mode = fs.statSync(dir).mode & 0o777;
  const files = fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(dir, name))
    .filter((file) => fs.lstatSync(file).isFile());
  const open = files
    .filter((file) => (fs.statSync(file).mode & 0o777 & ~DATA_FILE_MODE) !== 0)
    .map((file) => path.relative(dir, file));
  const octal = (m: number) => `0${m.toString(8)}`;
  if ((mode & ~DATA_DIR_MODE) !== 0 || open.length > 0) {
    const what = [
      (mode & ~DATA_DIR_MODE) !== 0 ? `the directory is ${octal(mode)}` : '',
      open.length > 0 ? `readable by others: ${open.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    report({
      status: 'fail',
      check: 'data directory',
      detail: `${dir}: ${what} (opening the stores, as doctor now does, tightens it to ${octal(DATA_DIR_MODE)} and ${octal(DATA_FILE_MODE)}: find out what loosened it)`,
    });
  } else {
    report({
      status: 'ok',
      check: 'data directory',
      detail: `${dir} is ${octal(mode)}, its ${files.length} files owner-only`,
    });
  }
  if (!config.masterKey && !fs.existsSync(path.join(dir, MASTER_KEY_FILE))) {
    report({
      status: 'fail',
      check: 'master key',
      detail: `neither ${MASTER_KEY_SETTING} nor ${MASTER_KEY_FILE} in the data directory: nothing sealed can be opened`,
    });
    return false;
  }
  return true;
}

/** Opens the ledger as `status` does: the key store refuses another master key, then the log and each projection. */
async function ledgerChecks(config: Config, report: (f: Finding) => void): Promise<void> {
  let ledger: Ledger;
  try {
    ledger = await openLedger(config, { leaseHolder: processHolder('doctor') });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const keyMismatch = /master key does not match/i.test(message);
    report({
      status: 'fail',
      check: keyMismatch ? 'master key' : 'stores',
      detail: keyMismatch
        ? 'it does not match the key store: every sealed value would be unreadable'
        : `could not open them: ${message}`,
    });
    return;
  }
  try {
    report({
      status: 'ok',
      check: 'master key',
      detail: `${config.masterKey ? MASTER_KEY_SETTING : MASTER_KEY_FILE} matches the key store`,
    });
    const head = await ledger.events.headPosition();
    const [last] =
      head > 0 && !config.kurrentdbUrl ? await ledger.events.readAll({ fromPosition: head - 1, maxCount: 1 }) : [];
    report({
      status: 'ok',
      check: 'event store',
      detail: `readable; head at position ${head}${last ? `, hash chain head ${last.hash.slice(0, 16)}… (stream ${last.streamId.split('-')[0]}, revision ${last.revision})` : ''}`,
    });
    if (!config.kurrentdbUrl && logInEarlierFormat(config.dataDir)) {
      report({
        status: 'warn',
        check: 'event store',
        detail:
          'the log is in an earlier file format (one or two more pages written per append); with the server stopped, privacy-ledger upgrade-log rewrites it',
      });
    }
    const now = Date.now();
    for (const row of await ledger.runner.status()) {
      const lease = await ledger.leases.current(row.name);
      const held =
        lease && lease.expiresAt > now
          ? `run by ${lease.holder}`
          : lease
            ? `run by nobody (last: ${lease.holder})`
            : 'never run';
      // A lag nobody works off is what an operator must look at; a lag with a live holder is catching up.
      const status = row.lag > 0 && !(lease && lease.expiresAt > now) ? 'warn' : 'ok';
      report({
        status,
        check: `projection ${row.name}`,
        detail: `checkpoint ${row.checkpoint}, lag ${row.lag}, ${held}`,
      });
    }
  } catch (error) {
    report({
      status: 'fail',
      check: 'event store',
      detail: `not readable: ${error instanceof Error ? error.message : String(error)}`,
    });
  } finally {
    await ledger.close();
  }
}

/** Whether the embedded log still has a page per commit that the current format does not write (log-format.ts). */
function logInEarlierFormat(dataDir: string): boolean {
  const db = new Database(path.join(dataDir, EMBEDDED_LOG_FILE), { readonly: true });
  try {
    return isEarlierLogFormat(db);
  } finally {
    db.close();
  }
}
