import type { Forgetting } from '../forgetting.js';

/** One data key, named by its subject and its key id (an HMAC of the key: no personal data, see keyIdOf). */
export interface KeyRef {
  subjectId: string;
  keyId: string;
}

/**
 * The key store port: one 256-bit data key per data subject, kept wrapped
 * by a master key. Destroying a subject's key is what erasure means: every
 * value encrypted under it, anywhere in the log, becomes unreadable.
 * Adapters: SQLite (embedded, its own file), MongoDB (distributed).
 */
export interface KeyStore {
  /** The subject's data key, created on first use (random, or a copy of `initial`: see ./ledger-secrets.ts). */
  getOrCreate(subjectId: string, initial?: Buffer): Promise<Buffer>;
  /** Keys for the subjects that still have one; destroyed or unknown ones are absent. */
  getMany(subjectIds: readonly string[]): Promise<Map<string, Buffer>>;
  /** true if a key existed and is now gone for good. */
  destroy(subjectId: string): Promise<boolean>;
  /** Destroys several keys at once (one commit, one sync): the subjects whose key existed and is now gone. */
  destroyMany(subjectIds: readonly string[]): Promise<string[]>;
  /**
   * Destroys each subject's key only if it is the one with the given key id
   * (see keyIdOf): an erasure destroys the keys it recorded, never a newer key
   * the subject got since. Returns the keys destroyed now (none for a key
   * already gone or replaced). Several at once: one commit, one sync.
   */
  destroyKeys(keys: readonly KeyRef[]): Promise<KeyRef[]>;
  /**
   * A number that changes whenever a key is destroyed through this store.
   * Only a store that is the sole destroyer of its keys offers it (the
   * embedded one, under the serve lock): readers then know that values
   * opened under an unchanged generation are still readable without asking
   * for the keys again. A store shared by several processes leaves it out.
   */
  generation?(): number;
  /**
   * Told, after every destroy call, each subject it named: whatever holds
   * values opened under this store's keys, or the keys, registers here
   * (see ./forgetting.ts).
   */
  readonly forgetting: Forgetting;
  close(): Promise<void>;
}

/** The wanted key ids of each subject. */
export function keyIdsBySubject(keys: readonly KeyRef[]): Map<string, Set<string>> {
  const wanted = new Map<string, Set<string>>();
  for (const { subjectId, keyId } of keys) {
    let ids = wanted.get(subjectId);
    if (!ids) wanted.set(subjectId, (ids = new Set()));
    ids.add(keyId);
  }
  return wanted;
}
