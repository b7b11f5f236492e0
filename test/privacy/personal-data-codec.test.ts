import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyRef, KeyStore } from '../../src/privacy/keys/key-store.js';
import { PersonalDataCodec } from '../../src/privacy/personal-data-codec.js';
import { ERASED, isErased, isPersonalValue, keyIdOf, type PersonalValue } from '../../src/privacy/personal-value.js';
import { SqliteKeyStore } from '../../src/privacy/keys/sqlite-key-store.js';

/** Delegates every call to the real SqliteKeyStore, counting the lookups. */
class CountingKeyStore implements KeyStore {
  getManyCalls = 0;
  getOrCreateCalls = 0;
  constructor(private readonly real: SqliteKeyStore) {}
  get forgetting() {
    return this.real.forgetting;
  }
  getOrCreate(subjectId: string): Promise<Buffer> {
    this.getOrCreateCalls++;
    return this.real.getOrCreate(subjectId);
  }
  getMany(subjectIds: readonly string[]): Promise<Map<string, Buffer>> {
    this.getManyCalls++;
    return this.real.getMany(subjectIds);
  }
  destroy(subjectId: string): Promise<boolean> {
    return this.real.destroy(subjectId);
  }
  destroyMany(subjectIds: readonly string[]): Promise<string[]> {
    return this.real.destroyMany(subjectIds);
  }
  destroyKeys(keys: readonly KeyRef[]): Promise<KeyRef[]> {
    return this.real.destroyKeys(keys);
  }
  close(): Promise<void> {
    return this.real.close();
  }
}

const ALICE = 'publisher/p-1/contact';
const BOB = 'publisher/p-2/contact';

const contactFields = (subjectId: string) => [
  { path: 'contact.name', subjectId },
  { path: 'contact.telephone', subjectId },
  { path: 'contact.email', subjectId },
];

const registered = (publisherId: string, name: string, email: string) => ({
  publisherId,
  companyName: `Company ${publisherId}`,
  contact: { name, telephone: '+31 20 123 4567', email },
  tags: ['news', 'local'],
});

describe('PersonalDataCodec', () => {
  let dir: string;
  let keys: CountingKeyStore;
  let codec: PersonalDataCodec;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-codec-'));
    keys = new CountingKeyStore(SqliteKeyStore.open(path.join(dir, 'keys.db'), randomBytes(32)));
    codec = new PersonalDataCodec(keys);
  });

  afterEach(async () => {
    await keys.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('seals the listed values so that none of their plaintext remains', async () => {
    const data = registered('p-1', 'Alice Example', 'alice@example.org');
    const sealed = await codec.seal(data, contactFields(ALICE));
    const json = JSON.stringify(sealed);
    for (const plaintext of ['Alice Example', '+31 20 123 4567', 'alice@example.org']) {
      expect(json).not.toContain(plaintext);
    }
    expect(isPersonalValue(sealed.contact.email)).toBe(true);
    expect(sealed.contact.email).toMatchObject({ $pd: 1, s: ALICE });
    expect(sealed.companyName).toBe('Company p-1');
    expect(sealed.tags).toEqual(['news', 'local']);
  });

  it('does not change the value it seals', async () => {
    const data = registered('p-1', 'Alice Example', 'alice@example.org');
    const before = structuredClone(data);
    const sealed = await codec.seal(data, contactFields(ALICE));
    expect(data).toEqual(before);
    expect(sealed.tags).not.toBe(data.tags);
  });

  it('seals the same value differently each time', async () => {
    const data = registered('p-1', 'Alice Example', 'alice@example.org');
    const a = await codec.seal(data, contactFields(ALICE));
    const b = await codec.seal(data, contactFields(ALICE));
    expect(a.contact.email).not.toEqual(b.contact.email);
  });

  it('leaves a listed path alone when it has no value', async () => {
    const data = { publisherId: 'p-1', contact: { name: 'Alice Example' } };
    const sealed = await codec.seal(data, [...contactFields(ALICE), { path: 'missing.deeper', subjectId: ALICE }]);
    expect(Object.keys(sealed.contact)).toEqual(['name']);
    expect(sealed).not.toHaveProperty('missing');
  });

  it('opens sealed values back to exactly the original, whatever their JSON type', async () => {
    const data = {
      publisherId: 'p-1',
      contact: { name: 'Zoë ☕ Ünïcode', telephone: null, email: 'alice@example.org' },
      profile: { age: 42, verified: true, addresses: [{ city: 'Utrecht' }, { city: 'Gent' }] },
    };
    const fields = [...contactFields(ALICE), { path: 'profile', subjectId: ALICE }];
    const sealed = await codec.seal(data, fields);
    expect(isPersonalValue(sealed.profile)).toBe(true);
    expect(await codec.open(sealed)).toEqual(data);
  });

  it('opens personal values found anywhere, in nested objects and arrays, without changing its input', async () => {
    const one = await codec.seal({ v: 'first secret' }, [{ path: 'v', subjectId: ALICE }]);
    const two = await codec.seal({ v: 'second secret' }, [{ path: 'v', subjectId: BOB }]);
    const mixed = { list: [one.v, { deep: [two.v] }], plain: 'x', n: 1, nothing: null };
    const snapshot = structuredClone(mixed);
    const opened = await codec.open(mixed);
    expect(opened).toEqual({ list: ['first secret', { deep: ['second secret'] }], plain: 'x', n: 1, nothing: null });
    expect(mixed).toEqual(snapshot);
    expect(await codec.open(one.v)).toBe('first secret');
  });

  it("reads a subject's values as ERASED once its key is destroyed, while another subject's still open", async () => {
    const alice = await codec.seal(registered('p-1', 'Alice Example', 'alice@example.org'), contactFields(ALICE));
    const bob = await codec.seal(registered('p-2', 'Bob Example', 'bob@example.org'), contactFields(BOB));
    expect(await keys.destroy(ALICE)).toBe(true);

    const [openedAlice, openedBob] = await codec.openMany([alice, bob]);
    expect(openedAlice?.contact).toEqual({ name: ERASED, telephone: ERASED, email: ERASED });
    expect(isErased(openedAlice?.contact.email)).toBe(true);
    expect(openedAlice?.companyName).toBe('Company p-1');
    expect(openedBob).toEqual(registered('p-2', 'Bob Example', 'bob@example.org'));
  });

  it('reads a value it has opened before as ERASED once the key is destroyed', async () => {
    const sealed = await codec.seal({ email: 'alice@example.org' }, [{ path: 'email', subjectId: ALICE }]);
    expect(await codec.open(sealed)).toEqual({ email: 'alice@example.org' });
    expect(await codec.open(sealed)).toEqual({ email: 'alice@example.org' });
    await keys.destroy(ALICE);
    expect(await codec.open(sealed)).toEqual({ email: ERASED });
  });

  it('refuses a value moved to another subject even after opening it where it belongs', async () => {
    const sealed = await codec.seal({ email: 'alice@example.org' }, [{ path: 'email', subjectId: ALICE }]);
    expect(await codec.open(sealed)).toEqual({ email: 'alice@example.org' });
    const pv = sealed.email as unknown as PersonalValue;
    const moved = { email: { ...pv, s: BOB, k: keyIdOf(await keys.getOrCreate(BOB)) } };
    await expect(codec.open(moved)).rejects.toThrow(/could not be decrypted/);
  });

  it('opens a frozen (shared) document once and reuses it until one of its keys is destroyed', async () => {
    const doc = Object.freeze(
      await codec.seal(registered('p-1', 'Alice Example', 'alice@example.org'), contactFields(ALICE)),
    );
    const [first] = await codec.openMany([doc]);
    const [second] = await codec.openMany([doc]);
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(first?.contact.email).toBe('alice@example.org');
    await keys.destroy(ALICE);
    const [after] = await codec.openMany([doc]);
    expect(after?.contact).toEqual({ name: ERASED, telephone: ERASED, email: ERASED });
    await keys.getOrCreate(ALICE); // a new key for the subject does not bring the old values back
    expect((await codec.open(doc)).contact.email).toEqual(ERASED);
  });

  it('with a key store that is the sole destroyer of its keys, a reused document needs no key lookup until a key is destroyed', async () => {
    const store = SqliteKeyStore.open(path.join(dir, 'own-keys.db'), randomBytes(32));
    try {
      const own = new PersonalDataCodec(store);
      const doc = Object.freeze(
        await own.seal(registered('p-1', 'Alice Example', 'alice@example.org'), contactFields(ALICE)),
      );
      const [first] = await own.openMany([doc]);
      let lookups = 0;
      const getMany = store.getMany.bind(store);
      store.getMany = (ids) => (lookups++, getMany(ids));
      expect((await own.openMany([doc]))[0]).toBe(first);
      expect(lookups).toBe(0);
      await store.destroy(ALICE);
      expect((await own.open(doc)).contact).toEqual({ name: ERASED, telephone: ERASED, email: ERASED });
      expect(lookups).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('keeps erased values erased after the subject gets a new key', async () => {
    const old = await codec.seal({ email: 'alice@example.org' }, [{ path: 'email', subjectId: ALICE }]);
    await keys.destroy(ALICE);
    const fresh = await codec.seal({ email: 'new@example.org' }, [{ path: 'email', subjectId: ALICE }]);
    expect(await codec.open(old)).toEqual({ email: ERASED });
    expect(await codec.open(fresh)).toEqual({ email: 'new@example.org' });
  });

  it('refuses to open a sealed value that was altered', async () => {
    const sealed = await codec.seal({ email: 'alice@example.org' }, [{ path: 'email', subjectId: ALICE }]);
    const pv = sealed.email as unknown as PersonalValue;
    const bytes = Buffer.from(pv.c, 'base64');
    bytes[14] = (bytes[14] ?? 0) ^ 1;
    const altered = { email: { ...pv, c: bytes.toString('base64') } };
    await expect(codec.open(altered)).rejects.toThrow(/could not be decrypted/);
    const moved = { email: { ...pv, s: BOB, k: keyIdOf(await keys.getOrCreate(BOB)) } };
    await keys.getOrCreate(BOB);
    await expect(codec.open(moved)).rejects.toThrow(/could not be decrypted/);
  });

  it('looks keys up once per open and once for a whole openMany batch', async () => {
    const events = [];
    for (let i = 0; i < 50; i++) {
      const subject = i % 2 === 0 ? ALICE : `publisher/p-${i}/contact`;
      events.push(await codec.seal(registered(`p-${i}`, `Name ${i}`, `n${i}@example.org`), contactFields(subject)));
    }
    keys.getManyCalls = 0;
    await codec.open(events[0]);
    expect(keys.getManyCalls).toBe(1);

    keys.getManyCalls = 0;
    keys.getOrCreateCalls = 0;
    const opened = await codec.openMany(events);
    expect(keys.getManyCalls).toBe(1);
    expect(keys.getOrCreateCalls).toBe(0);
    expect(opened[3]).toEqual(registered('p-3', 'Name 3', 'n3@example.org'));
  });

  it('asks for each subject key once when sealing several values of that subject', async () => {
    await codec.seal(registered('p-1', 'Alice Example', 'alice@example.org'), contactFields(ALICE));
    expect(keys.getOrCreateCalls).toBe(1);
  });

  it("seals values of subjects listed in turn each under its own subject's key, asking for each key once", async () => {
    const people = { a: 'Alice Example', b: 'Bob Example', c: 'alice@example.org' };
    const sealed = await codec.seal(people, [
      { path: 'a', subjectId: ALICE },
      { path: 'b', subjectId: BOB },
      { path: 'c', subjectId: ALICE },
    ]);
    expect([sealed.a, sealed.b, sealed.c].map((value) => (value as unknown as PersonalValue).s)).toEqual([
      ALICE,
      BOB,
      ALICE,
    ]);
    expect(keys.getOrCreateCalls).toBe(2);
    expect(await codec.open(sealed)).toEqual(people);
  });

  it('does not look keys up when there is nothing to open, and keeps null entries', async () => {
    const opened = await codec.openMany([{ plain: true }, null]);
    expect(opened).toEqual([{ plain: true }, null]);
    expect(keys.getManyCalls).toBe(0);
  });

  it('rejects listing one path for two subjects', async () => {
    await expect(
      codec.seal({ email: 'a@example.org' }, [
        { path: 'email', subjectId: ALICE },
        { path: 'email', subjectId: BOB },
      ]),
    ).rejects.toThrow(/listed for two subjects/);
  });
});
