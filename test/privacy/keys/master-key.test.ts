import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadMasterKey } from '../../../src/privacy/keys/master-key.js';

describe('loadMasterKey', () => {
  let root: string;
  let dataDir: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-master-'));
    dataDir = path.join(root, 'data', 'nested');
  });

  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** The error `fn` throws (fails the test if it does not throw). */
  function errorOf(fn: () => unknown): Error {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(Error);
      return error as Error;
    }
    throw new Error('expected an error');
  }

  it('generates a 32-byte key on first use, creating the data directory, and reuses it afterwards', () => {
    const first = loadMasterKey({ dataDir });
    expect(first).toHaveLength(32);
    expect(fs.existsSync(path.join(dataDir, 'master.key'))).toBe(true);
    const second = loadMasterKey({ dataDir });
    expect(second.equals(first)).toBe(true);
  });

  it('stores the generated key as base64 in master.key', () => {
    const key = loadMasterKey({ dataDir });
    const text = fs.readFileSync(path.join(dataDir, 'master.key'), 'utf8').trim();
    expect(Buffer.from(text, 'base64').equals(key)).toBe(true);
  });

  it('writes master.key readable and writable by its owner only (mode 0600)', () => {
    loadMasterKey({ dataDir });
    expect(fs.statSync(path.join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
  });

  it('leaves no temporary file behind', () => {
    loadMasterKey({ dataDir });
    expect(fs.readdirSync(dataDir)).toEqual(['master.key']);
  });

  it('uses an existing master.key as it is', () => {
    const existing = randomBytes(32);
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'master.key'), `${existing.toString('base64')}\n`, { mode: 0o600 });
    expect(loadMasterKey({ dataDir }).equals(existing)).toBe(true);
  });

  it('uses the configured key and neither reads nor writes master.key', () => {
    const configured = randomBytes(32);
    const key = loadMasterKey({ dataDir, masterKeyBase64: configured.toString('base64') });
    expect(key.equals(configured)).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'master.key'))).toBe(false);
  });

  it('accepts a configured key in the url-safe base64 alphabet and with surrounding whitespace', () => {
    const configured = randomBytes(32);
    const key = loadMasterKey({ dataDir, masterKeyBase64: ` ${configured.toString('base64url')}\n` });
    expect(key.equals(configured)).toBe(true);
  });

  it.each([
    ['too short', randomBytes(16).toString('base64')],
    ['too long', randomBytes(48).toString('base64')],
    ['not base64', 'this is not a key, it is a sentence!!'],
    ['empty', ''],
  ])('rejects a configured key that is %s, naming the setting but not the value', (_case, value) => {
    const error = errorOf(() => loadMasterKey({ dataDir, masterKeyBase64: value }));
    expect(error.message).toContain('PRIVACY_LEDGER_MASTER_KEY');
    if (value) expect(error.message).not.toContain(value);
    expect(fs.existsSync(path.join(dataDir, 'master.key'))).toBe(false);
  });

  it('rejects a corrupt master.key without printing its content', () => {
    const content = randomBytes(20).toString('base64');
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'master.key'), content, { mode: 0o600 });
    const error = errorOf(() => loadMasterKey({ dataDir }));
    expect(error.message).toContain('master.key');
    expect(error.message).not.toContain(content);
  });
});
