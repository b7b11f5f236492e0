import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Secrets generated into the data directory on first start (the master key,
 * the embedded token-signing key). Each is published atomically, mode 0600,
 * and the first process to publish wins.
 */

/** The file's text, or undefined if it does not exist. */
export function readSecretFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Writes `contents` and publishes it at `file` unless a file is already
 * there: written and fsynced under a temporary name (mode 0600), then
 * linked into place. Linking, unlike a plain rename, never replaces a file:
 * if another process published first, its contents win. Returns the text
 * now at `file`, which every later start will read.
 */
export function createSecretFile(file: string, contents: string): string {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = writeTemporary(file, contents);
  try {
    publish(temp, file);
  } finally {
    fs.rmSync(temp, { force: true });
  }
  syncDirectory(dir);
  const stored = readSecretFile(file);
  if (stored === undefined) throw new Error(`The file ${file} vanished right after it was written.`);
  return stored;
}

/** Writes `contents` to `file` (mode 0600) durably, replacing any file there (rename, not link: the last writer wins). */
export function replaceSecretFile(file: string, contents: string): void {
  fs.renameSync(writeTemporary(file, contents), file);
  syncDirectory(path.dirname(file));
}

/** Replaces `to` with `from` atomically and durably. */
export function moveSecretFile(from: string, to: string): void {
  fs.renameSync(from, to);
  syncDirectory(path.dirname(to));
}

/** `contents` written and fsynced beside `file` under a fresh temporary name, mode 0600; returns that name. */
function writeTemporary(file: string, contents: string): string {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.fchmodSync(fd, 0o600); // in case a umask or ACL widened it
    fs.writeFileSync(fd, contents);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return temp;
}

function publish(temp: string, file: string): void {
  try {
    fs.linkSync(temp, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return; // another process was first: use its file
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') {
      // file systems without hard links: fall back to an atomic rename
      fs.renameSync(temp, file);
      return;
    }
    throw error;
  }
}

/** Makes the new directory entry durable (best effort: not every platform can). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows and some file systems cannot fsync a directory.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
