import type { KeyStore } from './keys/key-store.js';
import { deepFreeze } from '../deep-freeze.js';
import { deepCopy, distinctFields, ownValue, segmentsOf, setOwn, type SealField, type Slot } from './document-paths.js';
import type { LRUCache } from 'lru-cache';
import { expiringCache } from '../idle-expiry.js';
import type { Forgetful, Forgetting } from './forgetting.js';
import { KEY_CACHE_ENTRIES, ownMemory } from './keys/key-wrap.js';
import { OpenedValueCache } from './opened-value-cache.js';
import {
  ERASED,
  isPersonalValue,
  isSealedWith,
  keyIdOf,
  openValue,
  sealValue,
  type PersonalValue,
} from './personal-value.js';

/** Keys no value may be sealed under any more: an erasure recorded that it destroys them (see StreamKeys). */
export interface RetiredKeys {
  isRetired(keyId: string): boolean;
}

/** A frozen input opened once, and the key id each of its subjects had then (undefined: no key, read as erased). */
interface OpenedDoc {
  opened: unknown;
  keyIds: ReadonlyMap<string, string | undefined>;
  /** the key store's generation when it was opened (undefined: the store has none) */
  generation: number | undefined;
}

/** Frozen objects are shared, read-only documents (see the read store): safe to open once and reuse. */
const isShared = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && Object.isFrozen(value);

/**
 * Seals the personal values of event data (or any JSON-like value) and opens
 * them again. Inputs are never mutated: both directions return deep copies
 * (plain objects and arrays are copied; other objects, which JSON data does
 * not contain, are shared).
 */
export class PersonalDataCodec implements Forgetful {
  /**
   * Key ids (an HMAC of the key) by subject, with the key they were computed
   * from (a copy, zeroed when it leaves): recomputing the HMAC for every read
   * measured ~15% of a query (7 µs an HMAC against 0.07 µs a hit, measured
   * again with the caches on lru-cache). A subject whose key changed (erased,
   * then re-created) misses.
   *
   * A key budget of 0 keeps neither key ids nor what sealWith sealed last, and
   * an opened-value budget of 0 no opened value: for a codec whose process
   * hears of no erasure (the projection thread, a `project` worker,
   * `rebuild --online`), whose memory must not outlive a key another process
   * destroys.
   */
  private readonly keyIds: LRUCache<string, { key: Buffer; id: string }> | undefined;
  private readonly opened: OpenedValueCache;
  /** what sealWith sealed last per subject: the key id and value it sealed, and the result (see sealWith) */
  private readonly sealedBefore: LRUCache<string, { keyId: string; value: string; sealed: PersonalValue }> | undefined;
  /** opened copies of frozen inputs (see openMany); replaced whole at erasure (a WeakMap cannot be walked) */
  private openedDocs = new WeakMap<object, OpenedDoc>();

  constructor(
    private readonly keys: KeyStore,
    budgets: { openedValueEntries?: number; keyCacheEntries?: number } = {},
  ) {
    const keyEntries = budgets.keyCacheEntries ?? KEY_CACHE_ENTRIES;
    this.keyIds =
      keyEntries > 0 ? expiringCache({ max: keyEntries, dispose: (known) => known.key.fill(0) }) : undefined;
    this.opened = new OpenedValueCache(budgets.openedValueEntries);
    this.sealedBefore = keyEntries > 0 ? expiringCache({ max: keyEntries }) : undefined;
    keys.forgetting.register(this);
  }

  /** Where whoever keeps values this codec opened registers (the key store's, which announces every destroy). */
  get forgetting(): Forgetting {
    return this.keys.forgetting;
  }

  /**
   * Drops what this codec remembers of subjects whose keys were destroyed
   * (their key ids, their opened values, every opened document). Reads are
   * correct without it (they check the key first), but the plaintext should
   * not outlive the key in memory either.
   */
  forgetSubjects(subjectIds: ReadonlySet<string>): void {
    for (const subjectId of subjectIds) {
      this.keyIds?.delete(subjectId);
      this.opened.forget(subjectId);
      this.sealedBefore?.delete(subjectId);
    }
    this.openedDocs = new WeakMap();
  }

  private keyId(subjectId: string, key: Buffer): string {
    const known = this.keyIds?.get(subjectId);
    if (known && known.key.equals(key)) return known.id;
    const id = keyIdOf(key);
    // its own memory: Buffer.from would copy the key into a slice of the shared 8 KB pool and pin the slab
    if (this.keyIds) this.keyIds.set(subjectId, { key: ownMemory(key), id });
    return id;
  }

  /**
   * A copy of `value` in which the value at each listed path is replaced by a
   * PersonalValue sealed under its subject's key (created on first use).
   * A path whose value is undefined (or whose parents are missing) is left
   * alone; a value already sealed for the same subject is kept as it is.
   * A subject whose key is `retired` gets a fresh key first.
   */
  async seal<T>(value: T, fields: ReadonlyArray<SealField>, retired?: RetiredKeys): Promise<T> {
    return this.sealIn(deepCopy(value, undefined), fields, retired);
  }

  /**
   * Like {@link seal}, but seals `value` itself: for a document its caller
   * has just built for this and shares with no one (an event's metadata,
   * src/events/store/event-codec.ts), whose copy would be garbage at once.
   */
  async sealBuilt<T>(value: T, fields: ReadonlyArray<SealField>, retired?: RetiredKeys): Promise<T> {
    return this.sealIn(value, fields, retired);
  }

  private async sealIn<T>(copy: T, fields: ReadonlyArray<SealField>, retired: RetiredKeys | undefined): Promise<T> {
    const targets: Array<{ parent: Record<string, unknown>; key: string; subjectId: string }> = [];
    for (const field of distinctFields(fields)) {
      const { parents, last } = segmentsOf(field.path);
      let parent: unknown = copy;
      for (const segment of parents) parent = ownValue(parent, segment);
      const current = ownValue(parent, last);
      if (current === undefined) continue;
      if (isPersonalValue(current)) {
        if (current.s === field.subjectId) continue;
        throw new Error(`The personal data at '${field.path}' is already sealed for another subject.`);
      }
      targets.push({ parent: parent as Record<string, unknown>, key: last, subjectId: field.subjectId });
    }
    if (targets.length === 0) return copy;
    // A document's values are nearly always one subject's (a contact, a client): its key, without a Map for one.
    let subjectId = targets[0]!.subjectId;
    let key = await this.currentKey(subjectId, retired);
    let keys: Map<string, { key: Buffer; id: string }> | undefined;
    for (const target of targets) {
      if (target.subjectId !== subjectId) {
        keys ??= new Map([[subjectId, key]]);
        subjectId = target.subjectId;
        const known = keys.get(subjectId);
        key = known ?? (await this.currentKey(subjectId, retired));
        if (!known) keys.set(subjectId, key);
      }
      setOwn(target.parent, target.key, sealValue(key.key, subjectId, target.parent[target.key], key.id));
    }
    return copy;
  }

  /**
   * One value sealed under a key the caller holds, its key id from this
   * codec's cache: computing it (an HMAC) for each actor a mutation records
   * was 30% of naming the actor in the HTTP bench's profile.
   *
   * The caller seals the same string for a subject over and over (a member
   * account's object id, in the metadata of every event the account causes):
   * the same string under the same key gets the same PersonalValue (a copy)
   * as the last time, not a new encryption (an AES-GCM operation, ~5 µs of a
   * durable mutation's request thread). Equal ciphertexts tell only that two
   * events name one account, which their actor id says in the clear. Another
   * value, or another key (after an erasure), is sealed afresh; a destroyed
   * key's subject is forgotten here like everywhere (forgetSubjects).
   */
  sealWith(key: Buffer, subjectId: string, value: unknown): PersonalValue {
    const keyId = this.keyId(subjectId, key);
    if (typeof value !== 'string') return sealValue(key, subjectId, value, keyId);
    const before = this.sealedBefore?.get(subjectId);
    if (before?.keyId === keyId && before.value === value) return { ...before.sealed };
    const sealed = sealValue(key, subjectId, value, keyId);
    this.sealedBefore?.set(subjectId, { keyId, value, sealed });
    return { ...sealed };
  }

  /**
   * The subject's key to seal with. A retired key is destroyed first (which
   * finishes an erasure that recorded it but crashed before destroying it),
   * so a value written after an erasure never dies with it.
   */
  private async currentKey(subjectId: string, retired: RetiredKeys | undefined): Promise<{ key: Buffer; id: string }> {
    const key = await this.keys.getOrCreate(subjectId);
    const id = this.keyId(subjectId, key);
    if (!retired?.isRetired(id)) return { key, id };
    await this.keys.destroyKeys([{ subjectId, keyId: id }]); // which tells this codec (forgetSubjects)
    const fresh = await this.keys.getOrCreate(subjectId);
    const freshId = this.keyId(subjectId, fresh);
    if (retired.isRetired(freshId))
      throw new Error("A retired data key is still the subject's key after it was destroyed.");
    return { key: fresh, id: freshId };
  }

  /**
   * A copy of `value` in which every PersonalValue, at any depth, is
   * decrypted, or reads as ERASED if its subject's key is gone (or was
   * destroyed and replaced by a new one since the value was sealed). One
   * keyStore.getMany call (none if there is nothing to open).
   */
  async open<T>(value: T): Promise<T> {
    const [opened] = await this.openMany([value]);
    return opened as T;
  }

  /**
   * Like {@link open} for a whole batch, with one keyStore.getMany call for
   * all of it. A frozen input (a read model's shared document) is opened
   * once: its frozen copy is reused for as long as every key it was opened
   * under is still the subject's current key, so an erasure shows at once.
   * A key store that is the sole destroyer of its keys answers that without
   * a lookup (KeyStore.generation); others are asked for the keys.
   */
  async openMany<T>(values: readonly T[]): Promise<T[]> {
    const results = new Array<unknown>(values.length);
    const reused: Array<{ index: number; memo: OpenedDoc }> = [];
    const toOpen: number[] = [];
    const subjectIds = new Set<string>();
    // a store that is the sole destroyer of its keys says whether any was destroyed since a memo was made
    const generation = this.keys.generation?.();
    values.forEach((value, index) => {
      const memo = isShared(value) ? this.openedDocs.get(value) : undefined;
      if (!memo) return toOpen.push(index);
      if (generation !== undefined && memo.generation === generation) return void (results[index] = memo.opened);
      reused.push({ index, memo });
      for (const subjectId of memo.keyIds.keys()) subjectIds.add(subjectId);
    });
    // each copy sits in a one-element array, so even a top-level PersonalValue has a parent slot
    const copies = new Map<number, { box: unknown[]; slots: Slot[] }>();
    const copy = (index: number) => {
      const slots: Slot[] = [];
      copies.set(index, { box: deepCopy([values[index]], slots), slots });
      for (const slot of slots) subjectIds.add(slot.sealed.s);
    };
    toOpen.forEach(copy);
    const keys = subjectIds.size > 0 ? await this.keys.getMany([...subjectIds]) : new Map<string, Buffer>();
    const keyIds = new Map<string, string>();
    for (const [subjectId, key] of keys) keyIds.set(subjectId, this.keyId(subjectId, key));
    for (const { index, memo } of reused) {
      if ([...memo.keyIds].every(([subjectId, keyId]) => keyIds.get(subjectId) === keyId)) results[index] = memo.opened;
      else copy(index); // a key changed (an erasure): open it again; its subjects' keys are already here
    }
    for (const [index, { box, slots }] of copies) {
      for (const slot of slots) {
        const key = keys.get(slot.sealed.s);
        const keyId = keyIds.get(slot.sealed.s);
        const readable = key !== undefined && keyId !== undefined && isSealedWith(slot.sealed, keyId);
        const opened = readable ? this.openCached(key, slot.sealed, keyId) : ERASED;
        if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = opened;
        else setOwn(slot.parent, slot.key as string, opened);
      }
      const [copied] = box;
      const value = values[index];
      if (isShared(value)) {
        const used = new Map(slots.map((slot) => [slot.sealed.s, keyIds.get(slot.sealed.s)]));
        this.openedDocs.set(value, { opened: deepFreeze(copied), keyIds: used, generation });
      }
      results[index] = copied;
    }
    return results as T[];
  }

  private openCached(key: Buffer, sealed: PersonalValue, keyId: string): unknown {
    const hit = this.opened.get(sealed.s, sealed.c);
    if (hit !== undefined) return hit;
    const value = openValue(key, sealed, keyId);
    this.opened.set(sealed.s, sealed.c, value);
    return value;
  }
}
