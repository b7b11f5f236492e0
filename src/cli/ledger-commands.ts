import type { BreakKind } from '../events/store/integrity.js';
import type { Config } from '../server/config.js';
import { openLedger, processHolder } from '../server/ledger.js';
import { UsageError } from './args.js';
import { requireLedger } from './data-dir.js';
import { besideAServer } from './project-ledger.js';
import { progressBar } from './progress.js';
import { liveHolder } from './serve-lock.js';

/*
 * The commands that read or rework an existing ledger. Each first checks
 * that the data directory holds one (requireLedger): none of them creates one.
 */

export async function rebuild(config: Config, only: string | undefined, online: boolean): Promise<number> {
  requireLedger(config);
  const holder = online ? null : liveHolder(config.dataDir);
  if (holder !== null) {
    throw new UsageError(
      `a server (pid ${holder}) is running on ${config.dataDir}; stop it before rebuilding, or rebuild --online.`,
    );
  }
  // online, beside a live server whose erasures this process does not hear of: it caches nothing of a data subject
  const ledger = await openLedger(online ? besideAServer(config) : config, { leaseHolder: processHolder('rebuild') });
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
    // Each old model was moved aside and is erased in the background; no server waits for this command, so it leaves no copy behind.
    await ledger.reads.eraseRetired();
    return 0;
  } finally {
    await ledger.close();
  }
}

/** For a data directory no server is serving (a server applies retention itself, at start and daily). */
export async function retention(config: Config): Promise<number> {
  requireLedger(config);
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

export async function status(config: Config): Promise<number> {
  requireLedger(config);
  const ledger = await openLedger(config);
  try {
    const rows = await ledger.runner.status();
    const head = await ledger.events.headPosition();
    process.stdout.write(`log head: ${head}\n`);
    process.stdout.write(`${'projection'.padEnd(20)} ${'checkpoint'.padStart(12)} ${'lag'.padStart(10)}  run by\n`);
    for (const row of rows) {
      const lease = await ledger.leases.current(row.name);
      const runBy = !lease ? '-' : lease.expiresAt > Date.now() ? lease.holder : `nobody (last: ${lease.holder})`;
      process.stdout.write(
        `${row.name.padEnd(20)} ${String(row.checkpoint).padStart(12)} ${String(row.lag).padStart(10)}  ${runBy}\n`,
      );
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

export async function verify(config: Config): Promise<number> {
  requireLedger(config);
  const ledger = await openLedger(config);
  try {
    const bar = progressBar('verifying');
    const report = await ledger.services.integrity.verifyAll((done, total) => bar.update(done, total));
    bar.done();
    const broken = report.firstBreak;
    if (!broken) {
      process.stdout.write(
        `verified ${report.eventsChecked} events in ${report.streamsChecked} streams: every link holds\n`,
      );
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
