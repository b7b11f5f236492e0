import fs from 'node:fs';
import path from 'node:path';

/**
 * Who may read the data directory: only its owner. Everything in it is
 * either personal data (sealed, but with the keys beside it) or a key
 * (keys.sqlite, master.key, the token-signing key), so the directory is
 * 0700 and every file 0600, whoever creates them (server or CLI).
 */
export const DATA_DIR_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;

/** What {@link secureDataDir} had to tighten. */
export interface Tightened {
  directories: number;
  files: number;
}

/**
 * Creates the data directory (0700) or, if it exists, tightens it and
 * everything under it: directories to 0700, files to 0600 (SQLite's -wal
 * and -shm included). Symbolic links are left alone. Returns how many it
 * changed, so the caller can say so once.
 */
export function secureDataDir(dir: string): Tightened {
  fs.mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  const tightened: Tightened = { directories: 0, files: 0 };
  const visit = (target: string) => {
    const stat = fs.lstatSync(target);
    if (stat.isDirectory()) {
      if (tighten(target, stat.mode, DATA_DIR_MODE)) tightened.directories++;
      for (const name of fs.readdirSync(target)) visit(path.join(target, name));
    } else if (stat.isFile() && tighten(target, stat.mode, DATA_FILE_MODE)) {
      tightened.files++;
    }
  };
  visit(dir);
  return tightened;
}

/** Creates `file` empty with mode 0600 if it does not exist, or tightens it (before SQLite opens it: its -wal and -shm take the file's mode). */
export function ownerOnlyFile(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: DATA_DIR_MODE });
  fs.closeSync(fs.openSync(file, 'a', DATA_FILE_MODE));
  tighten(file, fs.statSync(file).mode, DATA_FILE_MODE);
}

/** Sets `mode` if the current one grants anything more; whether it did. */
function tighten(target: string, current: number, mode: number): boolean {
  if ((current & 0o777 & ~mode) === 0) return false;
  fs.chmodSync(target, mode);
  return true;
}
