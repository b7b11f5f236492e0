import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The master key wraps every data subject's key in the key store. It comes
 * from the PRIVACY_LEDGER_MASTER_KEY setting when that is given, otherwise
 * from `<dataDir>/master.key`, which is generated on first start.
 *
 * Error messages name the setting or the file, never the key.
 */
export const MASTER_KEY_SETTING = 'PRIVACY_LEDGER_MASTER_KEY';
export const MASTER_KEY_FILE = 'master.key';
const MASTER_KEY_BYTES = 32;

export interface LoadMasterKeyOptions {
  dataDir: string;
  /** the configured key (PRIVACY_LEDGER_MASTER_KEY), base64 of 32 bytes */
  masterKeyBase64?: string;
}

export function loadMasterKey(options: LoadMasterKeyOptions): Buffer {
  if (options.masterKeyBase64 !== undefined) {
    const key = decodeKey(options.masterKeyBase64);
    if (!key) {
      throw new Error(
        `${MASTER_KEY_SETTING} must be the base64 encoding of exactly ${MASTER_KEY_BYTES} bytes (for example the output of \`openssl rand -base64 32\`).`,
      );
    }
    return key;
  }
  const file = path.join(options.dataDir, MASTER_KEY_FILE);
  return readKeyFile(file) ?? createKeyFile(options.dataDir, file);
}

/** base64 (standard or url-safe alphabet) of exactly 32 bytes, else undefined */
export function decodeKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return undefined;
  const key = Buffer.from(trimmed, 'base64');
  return key.length === MASTER_KEY_BYTES ? key : undefined;
}

/** The key in `file`, or undefined if the file does not exist. */
export function readKeyFile(file: string): Buffer | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const key = decodeKey(text);
  if (!key) {
    throw new Error(
      `The master key file ${file} does not hold the base64 encoding of exactly ${MASTER_KEY_BYTES} bytes; restore it from backup or set ${MASTER_KEY_SETTING}.`,
    );
  }
  return key;
}

/**
 * Generates a key and publishes it atomically: written and fsynced under a
 * temporary name (mode 0600), then linked into place. Linking, unlike a
 * plain rename, never replaces a file: if another process published a key
 * first, that key wins and is returned, so two processes starting on an
 * empty directory cannot end up with different master keys.
 */
function createKeyFile(dataDir: string, file: string): Buffer {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(MASTER_KEY_BYTES);
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.fchmodSync(fd, 0o600); // in case a umask or ACL widened it
    fs.writeFileSync(fd, `${key.toString('base64')}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    publish(temp, file);
  } finally {
    fs.rmSync(temp, { force: true });
  }
  syncDirectory(dataDir);
  // Read back: the key on disk is the one every later start will use.
  const stored = readKeyFile(file);
  if (!stored) throw new Error(`The master key file ${file} vanished right after it was written.`);
  return stored;
}

function publish(temp: string, file: string): void {
  try {
    fs.linkSync(temp, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return; // another process was first: use its key
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') {
      // file systems without hard links: fall back to an atomic rename
      fs.renameSync(temp, file);
      return;
    }
    throw error;
  }
}

/** Writes `key` to `file` (mode 0600) and makes it durable, replacing any file there. */
export function writeKeyFile(file: string, key: Buffer): void {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeFileSync(fd, `${key.toString('base64')}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
  syncDirectory(path.dirname(file));
}

/** Replaces `to` with `from` atomically and durably. */
export function moveKeyFile(from: string, to: string): void {
  fs.renameSync(from, to);
  syncDirectory(path.dirname(to));
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
