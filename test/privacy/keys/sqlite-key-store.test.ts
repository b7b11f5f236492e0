import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteKeyStore } from '../../../src/privacy/keys/sqlite-key-store.js';
import { keyStoreContract } from './key-store.contract.js';

function tempDir(): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-keys-'));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

keyStoreContract('SqliteKeyStore', async () => {
  const temp = tempDir();
  const store = SqliteKeyStore.open(path.join(temp.dir, 'keys.db'), randomBytes(32));
  return {
    store,
    async cleanup() {
      await store.close();
      temp.remove();
    },
  };
});

/** Every file of the directory (db, -wal, -shm) with its bytes. */
function filesOf(dir: string): Array<{ name: string; bytes: Buffer }> {
  return fs.readdirSync(dir).map((name) => ({ name, bytes: fs.readFileSync(path.join(dir, name)) }));
}

/** Names of the files of `dir` that contain `needle` anywhere. */
function filesContaining(dir: string, needle: Buffer): string[] {
  return filesOf(dir)
    .filter((file) => file.bytes.includes(needle))
    .map((file) => file.name);
}

/** The wrapped key as stored, read through a separate, short-lived connection. */
function wrappedKeyOf(file: string, subjectId: string): Buffer {
  const db = new Database(file, { readonly: true });
  try {
    const row = db.prepare('SELECT wrapped_key FROM subject_keys WHERE subject_id = ?').get(subjectId) as
      { wrapped_key: Buffer } | undefined;
    if (!row) throw new Error(`no row for ${subjectId}`);
    return row.wrapped_key;
  } finally {
    db.close();
  }
}

describe('SqliteKeyStore', () => {
  let temp: { dir: string; remove(): void };
  let file: string;
  const masterKey = randomBytes(32);
  const open: SqliteKeyStore[] = [];

  const openStore = (key: Buffer = masterKey): SqliteKeyStore => {
    const store = SqliteKeyStore.open(file, key);
    open.push(store);
    return store;
  };

  beforeEach(() => {
    temp = tempDir();
    file = path.join(temp.dir, 'keys.db');
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
    temp.remove();
  });

  it('keeps keys across a close and reopen', async () => {
    const first = openStore();
    const a = Buffer.from(await first.getOrCreate('subject-a'));
    await first.close();
    const second = openStore();
    expect((await second.getMany(['subject-a'])).get('subject-a')?.equals(a)).toBe(true);
    expect((await second.getOrCreate('subject-a')).equals(a)).toBe(true);
  });

  it('never writes a raw data key to the database or its WAL', async () => {
    const store = openStore();
    const keys = await Promise.all(['a', 'b', 'c'].map((id) => store.getOrCreate(`subject-${id}`)));
    expect(fs.existsSync(`${file}-wal`)).toBe(true);
    for (const key of keys) expect(filesContaining(temp.dir, key)).toEqual([]);
    await store.close();
    for (const key of keys) expect(filesContaining(temp.dir, key)).toEqual([]);
  });

  it('stores the wrapped key in its files (so the erasure checks below can see it)', async () => {
    const store = openStore();
    await store.getOrCreate('subject-a');
    const wrapped = wrappedKeyOf(file, 'subject-a');
    expect(filesContaining(temp.dir, wrapped)).not.toEqual([]);
  });

  it('leaves neither the raw nor the wrapped key of a destroyed subject in any file', async () => {
    const store = openStore();
    // Enough subjects to span several pages, and keys both checkpointed and only in the WAL.
    for (let i = 0; i < 300; i++) await store.getOrCreate(`subject-${i}`);
    const stored = wrappedKeyOf(file, 'subject-7');
    const raw = Buffer.from(await store.getOrCreate('subject-7'));
    const late = Buffer.from(await store.getOrCreate('late-subject'));
    const lateWrapped = wrappedKeyOf(file, 'late-subject');
    expect(filesContaining(temp.dir, stored)).not.toEqual([]);
    expect(filesContaining(temp.dir, lateWrapped)).not.toEqual([]);

    expect(await store.destroy('subject-7')).toBe(true);
    expect(await store.destroy('late-subject')).toBe(true);
    for (const needle of [stored, raw, lateWrapped, late]) expect(filesContaining(temp.dir, needle)).toEqual([]);

    const survivor = Buffer.from(await store.getOrCreate('subject-8'));
    await store.close();
    for (const needle of [stored, raw, lateWrapped, late]) expect(filesContaining(temp.dir, needle)).toEqual([]);
    const reopened = openStore();
    expect((await reopened.getMany(['subject-7', 'late-subject', 'subject-8'])).size).toBe(1);
    expect((await reopened.getOrCreate('subject-8')).equals(survivor)).toBe(true);
  });

  it('refuses to open with a different master key, saying so without key material', async () => {
    const store = openStore();
    await store.getOrCreate('subject-a');
    await store.close();
    const wrongKey = randomBytes(32);
    let error: unknown;
    try {
      openStore(wrongKey);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/master key does not match the key store/);
    for (const secret of [wrongKey, masterKey]) {
      expect(message).not.toContain(secret.toString('base64'));
      expect(message).not.toContain(secret.toString('hex'));
    }
  });

  it('refuses a different master key even before any subject has a key', async () => {
    await openStore().close();
    expect(() => openStore(randomBytes(32))).toThrow(/master key does not match the key store/);
  });

  it('rejects a wrapped key copied from one subject to another', async () => {
    const store = openStore();
    await store.getOrCreate('subject-a');
    await store.getOrCreate('subject-b');
    await store.close();
    const db = new Database(file);
    db.prepare(
      "UPDATE subject_keys SET wrapped_key = (SELECT wrapped_key FROM subject_keys WHERE subject_id = 'subject-a') WHERE subject_id = 'subject-b'",
    ).run();
    db.close();
    const reopened = openStore();
    await expect(reopened.getMany(['subject-b'])).rejects.toThrow(/does not match the key store/);
  });

  it('gives one key to one subject created through two connections to the same file', async () => {
    const first = openStore();
    const second = openStore();
    const [a, b] = await Promise.all([first.getOrCreate('subject-a'), second.getOrCreate('subject-a')]);
    expect(a.equals(b)).toBe(true);
  });

  it('creates the key store file with the schema the port documents', async () => {
    openStore();
    const db = new Database(file, { readonly: true });
    const columns = db.prepare('PRAGMA table_info(subject_keys)').all() as Array<{ name: string; notnull: number }>;
    const journal = db.pragma('journal_mode', { simple: true });
    db.close();
    expect(columns.map((c) => c.name)).toEqual(['subject_id', 'wrapped_key', 'created_at']);
    expect(journal).toBe('wal');
  });

  it('re-wraps every key under a new master key: same data keys, no old wrapping left in any file, the old master key refused', async () => {
    const store = openStore();
    const keys = await Promise.all(
      ['a', 'b'].map((id) => store.getOrCreate(`subject-${id}`).then((k) => Buffer.from(k))),
    );
    const oldWrapped = ['a', 'b'].map((id) => wrappedKeyOf(file, `subject-${id}`));
    const next = randomBytes(32);
    expect(await store.rotateMasterKey(next)).toBe(2);
    expect((await store.getOrCreate('subject-c')).length).toBe(32); // new keys are wrapped under the new master key
    await store.close();
    for (const wrapped of oldWrapped) expect(filesContaining(temp.dir, wrapped)).toEqual([]);
    expect(() => openStore()).toThrow(/does not match the key store/);
    const reopened = openStore(next);
    const found = await reopened.getMany(['subject-a', 'subject-b', 'subject-c']);
    expect(found.get('subject-a')?.equals(keys[0]!)).toBe(true);
    expect(found.get('subject-b')?.equals(keys[1]!)).toBe(true);
    expect(found.size).toBe(3);
  });
});
