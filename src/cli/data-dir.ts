import fs from 'node:fs';
import path from 'node:path';
import { SIGNING_KEY_FILE } from '../auth/signing-key.js';
import { DATA_DIR_MODE } from '../data-dir-permissions.js';
import type { Config } from '../server/config.js';
import { embeddedFiles } from '../server/ledger.js';
import { UsageError } from './args.js';

const WHERE = '--data-dir or DATA_DIR';

/**
 * For the commands that only read or rework an existing ledger (status,
 * verify, export, token…): refuses a data directory that holds none, before
 * anything would be created in it (a mistyped --data-dir must not become a
 * new, empty ledger with keys of its own that then "verifies").
 */
export function requireLedger(config: Pick<Config, 'dataDir' | 'kurrentdbUrl' | 'mongodbUrl'>): void {
  notAFile(config.dataDir);
  // With MongoDB nothing of the ledger is local; with KurrentDB alone the keys are.
  const marker = config.mongodbUrl ? undefined : config.kurrentdbUrl ? embeddedFiles.keys : embeddedFiles.events;
  if (marker !== undefined && !isFile(path.join(config.dataDir, marker))) {
    throw new UsageError(
      `no ledger in ${config.dataDir} (it has no ${marker}): give the right ${WHERE}, or create one with "privacy-ledger serve" or "privacy-ledger seed".`,
    );
  }
}

/** For `token`: the key the server generated into the data directory on its first start. */
export function requireSigningKey(config: Pick<Config, 'dataDir' | 'kurrentdbUrl' | 'mongodbUrl'>): void {
  requireLedger(config);
  if (!isFile(path.join(config.dataDir, SIGNING_KEY_FILE))) {
    throw new UsageError(
      `no token-signing key in ${config.dataDir}: the server creates it when it first starts there ("privacy-ledger serve").`,
    );
  }
}

/**
 * For the commands that may create a ledger (serve, project, seed): makes the
 * data directory one level at a time (Node's recursive mkdir never returns
 * under /proc), and turns what stops it into a sentence naming the path.
 */
export function prepareDataDir(dir: string): void {
  notAFile(dir);
  const missing: string[] = [];
  for (let probe = dir; !exists(probe); probe = path.dirname(probe)) {
    missing.unshift(probe);
    if (path.dirname(probe) === probe) break;
  }
  for (const level of missing) {
    try {
      fs.mkdirSync(level, { mode: DATA_DIR_MODE });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && fs.statSync(level).isDirectory()) continue;
      throw new UsageError(
        `cannot create the data directory ${dir} (${code} at ${level}): choose a folder you may write to with ${WHERE}.`,
      );
    }
  }
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    throw new UsageError(
      `the data directory ${dir} is not writable by this user: fix its owner, or choose another with ${WHERE}.`,
    );
  }
}

/** The directory, or a folder above it, is a file. */
function notAFile(dir: string): void {
  for (let probe = dir; ; probe = path.dirname(probe)) {
    if (exists(probe)) {
      if (fs.statSync(probe).isDirectory()) return;
      throw new UsageError(
        probe === dir
          ? `the data directory ${dir} is a file, not a directory: choose a directory with ${WHERE}.`
          : `the data directory ${dir} cannot exist: ${probe} is a file.`,
      );
    }
    if (path.dirname(probe) === probe) return;
  }
}

function exists(target: string): boolean {
  try {
    fs.statSync(target);
    return true;
  } catch {
    return false;
  }
}

function isFile(target: string): boolean {
  try {
    return fs.statSync(target).isFile();
  } catch {
    return false;
  }
}
