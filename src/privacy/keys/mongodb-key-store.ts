import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Collection, CollectionOptions, Db } from 'mongodb';
import { systemClock, type Clock } from '../../clock.js';
import { Forgetting } from '../forgetting.js';
import { keyIdsBySubject, type KeyRef, type KeyStore } from './key-store.js';
import { KEY_BYTES, KeyWrapper } from './key-wrap.js';
import { keyIdOf } from '../personal-value.js';

interface StoredKey {
  /** the subject id */
  _id: string;
  wrapped: Buffer;
  createdAt: Date;
}

interface StoredMeta {
  _id: string;
  value: Buffer;
}

/** MongoDB's duplicate key error: another process created the document first. */
const DUPLICATE_KEY = 11000;
/**
 * Reads of a key another process is creating: majority reads see it once
 * its insert is majority-committed, which its writer waits for too.
 */
const WINNER_READS = 10;

/**
 * Majority and journaled: a key must survive the loss of the primary before
 * anything sealed with it is acknowledged, and a destroy must not roll back.
 * promoteBuffers: wrapped keys come back as Buffers.
 */
const DURABLE: CollectionOptions = {
  writeConcern: { w: 'majority', journal: true },
  readConcern: { level: 'majority' },
  readPreference: 'primary',
  promoteBuffers: true,
};

/**
 * The distributed key store: each subject's data key, wrapped by the master
 * key exactly as in the embedded store (src/privacy/keys/key-wrap.ts), in its own
 * collection `subject_keys` (`{ _id: subjectId, wrapped, createdAt }`), with
 * the master key's check value in `key_store_meta`. It may share the
 * read-model database or, better, live in a database (or cluster) of its
 * own: see docs/erasure-on-mongodb.md.
 *
 * What destroy means on a replica set: the document is deleted on the
 * primary and, with majority write concern, on most members before destroy
 * returns; every member deletes it from its data files. The wrapped key
 * remains, until they roll over or expire, in:
 * - the oplog of every member (the insert that created the key is an oplog
 *   entry holding the wrapped key, kept for the oplog window);
 * - every backup or snapshot taken while the key existed;
 * - freed pages of WiredTiger's files until they are reused.
 * The key in all these places is wrapped: it is only readable together
 * with the master key. Erasure is therefore complete once the oplog window
 * and the backup retention have passed, or at once for every copy whose
 * master key is destroyed too. The operator's guide says how to keep those
 * windows short.
 *
 * No key is cached across calls: with many API processes, a key destroyed
 * by one must not live on in another's memory (the embedded store, one
 * process, can cache). A query's keys come in one getMany round trip.
 */
export class MongoKeyStore implements KeyStore {
  /** no key cache here, but this process's codecs hold opened values: they forget them through this */
  readonly forgetting = new Forgetting();
  private closed = false;

  private constructor(
    private readonly keys: Collection<StoredKey>,
    private readonly meta: Collection<StoredMeta>,
    private readonly wrapper: KeyWrapper,
    private readonly clock: Clock,
  ) {}

  /** Opens the key collections of `db`; throws if `masterKey` is not the one they were created with. */
  static async open(db: Db, masterKey: Buffer, clock: Clock = systemClock): Promise<MongoKeyStore> {
    const wrapper = new KeyWrapper(masterKey);
    const store = new MongoKeyStore(
      db.collection<StoredKey>('subject_keys', DURABLE),
      db.collection<StoredMeta>('key_store_meta', DURABLE),
      wrapper,
      clock,
    );
    try {
      await store.checkMasterKey();
      return store;
    } catch (error) {
      wrapper.destroy();
      throw error;
    }
  }

  async getOrCreate(subjectId: string, initial?: Buffer): Promise<Buffer> {
    const stored = await this.keys.findOne({ _id: subjectId });
    if (stored) return this.wrapper.unwrap(stored._id, stored.wrapped);
    const fresh = initial ? Buffer.from(initial) : randomBytes(KEY_BYTES);
    try {
      // Acknowledged means majority-committed: the key is ours and durable.
      await this.keys.insertOne({
        _id: subjectId,
        wrapped: this.wrapper.wrap(subjectId, fresh),
        createdAt: this.clock.now(),
      });
      return Buffer.from(fresh);
    } catch (error) {
      if ((error as { code?: unknown }).code !== DUPLICATE_KEY) throw error;
    } finally {
      fresh.fill(0);
    }
    // Another process created the key meanwhile: theirs wins, once a majority has it.
    const winner = await readWinner(() => this.keys.findOne({ _id: subjectId }));
    if (winner) return this.wrapper.unwrap(winner._id, winner.wrapped);
    throw new Error('The data key of a subject vanished while it was being created.');
  }

  async getMany(subjectIds: readonly string[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    if (subjectIds.length === 0) return found;
    for await (const stored of this.keys.find({ _id: { $in: [...new Set(subjectIds)] } })) {
      found.set(stored._id, this.wrapper.unwrap(stored._id, stored.wrapped));
    }
    return found;
  }

  async destroy(subjectId: string): Promise<boolean> {
    const { deletedCount } = await this.keys.deleteOne({ _id: subjectId });
    this.forgetting.forget([subjectId]);
    return deletedCount > 0;
  }

  /** One deleteMany for all of them; the subjects that had a key (read just before, so a concurrent destroy may claim one too). */
  async destroyMany(subjectIds: readonly string[]): Promise<string[]> {
    const ids = [...new Set(subjectIds)];
    if (ids.length === 0) return [];
    const existing = (await this.keys.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray()).map(
      (doc) => doc._id,
    );
    if (existing.length > 0) await this.keys.deleteMany({ _id: { $in: existing } });
    this.forgetting.forget(ids);
    return existing;
  }

  /**
   * One find for all the subjects; each key is deleted only if the document
   * still holds the wrapped key whose id was compared, so a key another
   * process created since (after destroying the retired one) survives.
   */
  async destroyKeys(keys: readonly KeyRef[]): Promise<KeyRef[]> {
    const wanted = keyIdsBySubject(keys);
    if (wanted.size === 0) return [];
    const destroyed: KeyRef[] = [];
    for await (const stored of this.keys.find({ _id: { $in: [...wanted.keys()] } })) {
      const key = this.wrapper.unwrap(stored._id, stored.wrapped);
      const keyId = keyIdOf(key);
      key.fill(0);
      if (!wanted.get(stored._id)?.has(keyId)) continue;
      const { deletedCount } = await this.keys.deleteOne({ _id: stored._id, wrapped: stored.wrapped });
      if (deletedCount > 0) destroyed.push({ subjectId: stored._id, keyId });
    }
    this.forgetting.forget(wanted.keys());
    return destroyed;
  }

  /** The client belongs to whoever opened it (src/server/read-store-factory.ts); this forgets the master key. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wrapper.destroy();
  }

  /** Stores the master key's check value on first open (KeyWrapper.checkValue) and verifies it on every open. */
  private async checkMasterKey(): Promise<void> {
    const name = 'master_key_check';
    if (!(await this.meta.findOne({ _id: name }))) {
      // A store without a check value: any key it already holds must unwrap.
      const any = await this.keys.findOne({});
      if (any) this.wrapper.unwrap(any._id, any.wrapped).fill(0);
      try {
        await this.meta.insertOne({ _id: name, value: this.wrapper.checkValue() });
      } catch (error) {
        if ((error as { code?: unknown }).code !== DUPLICATE_KEY) throw error;
      }
    }
    // Two processes starting on an empty store both insert; the loser's majority read may
    // not see the winner's check value yet, and must wait for it, not call the key wrong.
    this.wrapper.verify((await readWinner(() => this.meta.findOne({ _id: name })))?.value);
  }
}

/**
 * A document another process is writing, read until it shows: majority
 * reads see it once its insert is majority-committed, which its writer
 * waits for too. null if it never shows.
 */
export async function readWinner<T>(
  read: () => Promise<T | null>,
  attempts = WINNER_READS,
  waitMs = 20,
): Promise<T | null> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const found = await read();
    if (found) return found;
    if (attempt + 1 < attempts) await sleep(waitMs * (attempt + 1));
  }
  return null;
}
