import fs from 'node:fs';
import path from 'node:path';
import { DATA_DIR_MODE, DATA_FILE_MODE } from '../data-dir-permissions.js';

/**
 * A pid file in the data directory while `serve` runs, so that commands
 * which rewrite read models (rebuild) refuse to run beside a live server.
 */
const LOCK = 'serve.pid';

export function takeServeLock(dataDir: string): () => void {
  const file = path.join(dataDir, LOCK);
  const holder = liveHolder(dataDir);
  if (holder !== null) throw new Error(`another privacy-ledger (pid ${holder}) is serving this data directory.`);
  fs.mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  fs.writeFileSync(file, String(process.pid), { mode: DATA_FILE_MODE });
  return () => fs.rmSync(file, { force: true });
}

/** The pid of a live server on this data directory, or null. */
export function liveHolder(dataDir: string): number | null {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(dataDir, LOCK), 'utf8'));
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}
