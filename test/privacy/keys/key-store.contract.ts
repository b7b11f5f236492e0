import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyStore } from '../../../src/privacy/keys/key-store.js';
import { keyIdOf } from '../../../src/privacy/personal-value.js';

export interface KeyStoreFixture {
  store: KeyStore;
  cleanup(): Promise<void>;
}

/**
 * The behaviour every KeyStore adapter must have. `factory` gives a fresh,
 * empty store for each test; `cleanup` closes it and removes what it made.
 *
 * Erasure is final for the key, not for the subject id: after destroy,
 * getOrCreate makes a NEW key, so values sealed under the old key stay
 * unreadable while new values for the same subject can still be stored.
 */
export function keyStoreContract(adapterName: string, factory: () => Promise<KeyStoreFixture>): void {
  describe(`KeyStore contract: ${adapterName}`, () => {
    let fixture: KeyStoreFixture;
    let store: KeyStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    it('gives the same key every time for the same subject', async () => {
      const first = await store.getOrCreate('subject-a');
      const second = await store.getOrCreate('subject-a');
      expect(second.equals(first)).toBe(true);
      const viaGetMany = (await store.getMany(['subject-a'])).get('subject-a');
      expect(viaGetMany?.equals(first)).toBe(true);
    });

    it('gives different subjects different 32-byte keys', async () => {
      const a = await store.getOrCreate('subject-a');
      const b = await store.getOrCreate('subject-b');
      expect(a).toHaveLength(32);
      expect(b).toHaveLength(32);
      expect(a.equals(b)).toBe(false);
    });

    it('creates a key from the initial value given, and keeps it when another is given later', async () => {
      const initial = Buffer.alloc(32, 7);
      expect((await store.getOrCreate('subject-a', initial)).equals(initial)).toBe(true);
      expect((await store.getOrCreate('subject-a', Buffer.alloc(32, 9))).equals(initial)).toBe(true);
      expect((await store.getOrCreate('subject-a')).equals(initial)).toBe(true);
    });

    it('does not let a caller that overwrites a returned key change the stored key', async () => {
      const key = await store.getOrCreate('subject-a');
      const copy = Buffer.from(key);
      key.fill(0);
      expect((await store.getOrCreate('subject-a')).equals(copy)).toBe(true);
    });

    it('returns from getMany only the subjects that have a key', async () => {
      const a = await store.getOrCreate('subject-a');
      const c = await store.getOrCreate('subject-c');
      const keys = await store.getMany(['subject-a', 'subject-b', 'subject-c', 'subject-a']);
      expect([...keys.keys()].sort()).toEqual(['subject-a', 'subject-c']);
      expect(keys.get('subject-a')?.equals(a)).toBe(true);
      expect(keys.get('subject-c')?.equals(c)).toBe(true);
    });

    it('returns an empty map from getMany for no subjects', async () => {
      expect((await store.getMany([])).size).toBe(0);
    });

    it('does not create keys in getMany', async () => {
      await store.getMany(['subject-x']);
      expect((await store.getMany(['subject-x'])).size).toBe(0);
    });

    it('reports destroy as true once, then false', async () => {
      await store.getOrCreate('subject-a');
      expect(await store.destroy('subject-a')).toBe(true);
      expect(await store.destroy('subject-a')).toBe(false);
      expect(await store.destroy('never-seen')).toBe(false);
    });

    it('destroys several keys at once, reporting those that existed', async () => {
      await store.getOrCreate('subject-a');
      await store.getOrCreate('subject-b');
      const c = await store.getOrCreate('subject-c');
      expect((await store.destroyMany(['subject-a', 'never-seen', 'subject-b', 'subject-a'])).sort()).toEqual([
        'subject-a',
        'subject-b',
      ]);
      const keys = await store.getMany(['subject-a', 'subject-b', 'subject-c']);
      expect([...keys.keys()]).toEqual(['subject-c']);
      expect(keys.get('subject-c')?.equals(c)).toBe(true);
      expect(await store.destroyMany(['subject-a'])).toEqual([]);
    });

    it('destroys a key by its id, never a newer key of the same subject', async () => {
      const old = keyIdOf(await store.getOrCreate('subject-a'));
      const b = await store.getOrCreate('subject-b');
      expect(
        await store.destroyKeys([
          { subjectId: 'subject-a', keyId: old },
          { subjectId: 'never-seen', keyId: old },
        ]),
      ).toEqual([{ subjectId: 'subject-a', keyId: old }]);
      expect((await store.getMany(['subject-a'])).size).toBe(0);
      const fresh = await store.getOrCreate('subject-a');
      // destroying the old id again (a retried erasure) leaves the subject's new key alone
      expect(await store.destroyKeys([{ subjectId: 'subject-a', keyId: old }])).toEqual([]);
      expect((await store.getMany(['subject-a'])).get('subject-a')?.equals(fresh)).toBe(true);
      // an id is only compared with its own subject's key
      expect(await store.destroyKeys([{ subjectId: 'subject-b', keyId: keyIdOf(fresh) }])).toEqual([]);
      expect((await store.getMany(['subject-b'])).get('subject-b')?.equals(b)).toBe(true);
      expect(await store.destroyKeys([])).toEqual([]);
    });

    it('forgets a destroyed key but keeps the keys of other subjects', async () => {
      await store.getOrCreate('subject-a');
      const b = await store.getOrCreate('subject-b');
      await store.destroy('subject-a');
      const keys = await store.getMany(['subject-a', 'subject-b']);
      expect(keys.has('subject-a')).toBe(false);
      expect(keys.get('subject-b')?.equals(b)).toBe(true);
    });

    it('creates a new key, never the old one, for a subject whose key was destroyed', async () => {
      const old = Buffer.from(await store.getOrCreate('subject-a'));
      await store.destroy('subject-a');
      const fresh = await store.getOrCreate('subject-a');
      expect(fresh).toHaveLength(32);
      expect(fresh.equals(old)).toBe(false);
      expect((await store.getMany(['subject-a'])).get('subject-a')?.equals(fresh)).toBe(true);
    });

    it('yields one key when the same subject is created concurrently', async () => {
      const keys = await Promise.all(Array.from({ length: 8 }, () => store.getOrCreate('subject-a')));
      for (const key of keys) expect(key.equals(keys[0] as Buffer)).toBe(true);
      expect((await store.getMany(['subject-a'])).get('subject-a')?.equals(keys[0] as Buffer)).toBe(true);
    });

    it('keeps subject ids apart exactly, including unusual characters', async () => {
      const ids = ['publisher/1/contact', 'publisher/1/contact ', 'Publisher/1/contact', 'ünïcødé/✓', 'it\'s "quoted"'];
      const created = await Promise.all(ids.map((id) => store.getOrCreate(id)));
      expect(new Set(created.map((key) => key.toString('hex'))).size).toBe(ids.length);
      const keys = await store.getMany(ids);
      ids.forEach((id, i) => expect(keys.get(id)?.equals(created[i] as Buffer)).toBe(true));
    });
  });
}
