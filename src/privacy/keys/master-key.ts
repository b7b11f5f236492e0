import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createSecretFile, moveSecretFile, readSecretFile, replaceSecretFile } from '../../secret-file.js';

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
  return readKeyFile(file) ?? createKeyFile(file);
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
  const text = readSecretFile(file);
  if (text === undefined) return undefined;
  const key = decodeKey(text);
  if (!key) {
    throw new Error(
      `The master key file ${file} does not hold the base64 encoding of exactly ${MASTER_KEY_BYTES} bytes; restore it from backup or set ${MASTER_KEY_SETTING}.`,
    );
  }
  return key;
}

/** Generates a key; if another process published one first, that key wins and is returned. */
function createKeyFile(file: string): Buffer {
  createSecretFile(file, `${randomBytes(MASTER_KEY_BYTES).toString('base64')}\n`);
  // Read back: the key on disk is the one every later start will use.
  const stored = readKeyFile(file);
  if (!stored) throw new Error(`The master key file ${file} vanished right after it was written.`);
  return stored;
}

/** Writes `key` to `file` (mode 0600) and makes it durable, replacing any file there. */
export function writeKeyFile(file: string, key: Buffer): void {
  replaceSecretFile(file, `${key.toString('base64')}\n`);
}

/** Replaces `to` with `from` atomically and durably. */
export const moveKeyFile = moveSecretFile;
