import type { LRUCache } from 'lru-cache';
import { expiringCache } from '../idle-expiry.js';

/** Opened values remembered unless configured (`--opened-value-cache-entries`). */
export const OPENED_VALUE_CACHE_ENTRIES = 50_000;

/**
 * Recently opened personal values, so that a hot read does not decrypt the
 * same ciphertext again (AES-GCM costs about 6 µs a value; a publisher with
 * 50 offers shows 150 of them).
 *
 * Entries are grouped by data subject and keyed by the ciphertext, which is
 * unique per sealing (random IV) and bound to its subject, so a hit is
 * exactly the value that decrypting would give. The cache is consulted only
 * after the key store has returned the subject's current key and the value's
 * key id matches it: a destroyed key reads as erased whatever is cached, and
 * `forget(subject)` drops the plaintext from memory at erasure. Only
 * primitives are cached, so no caller can mutate a shared value.
 *
 * Bounded by values in all: least recently used subjects go first, whole.
 * A budget of 0 keeps none (a codec whose process hears of no erasure).
 */
export class OpenedValueCache {
  private readonly subjects: LRUCache<string, Map<string, Primitive>> | undefined;

  constructor(maxValues = OPENED_VALUE_CACHE_ENTRIES) {
    // A subject's size is its number of values, recounted each time one is added (set again).
    this.subjects =
      maxValues > 0
        ? expiringCache({ maxSize: maxValues, sizeCalculation: (values) => Math.max(1, values.size) })
        : undefined;
  }

  get(subjectId: string, ciphertext: string): unknown {
    return this.subjects?.get(subjectId)?.get(ciphertext);
  }

  set(subjectId: string, ciphertext: string, value: unknown): void {
    if (!this.subjects || !isPrimitive(value)) return;
    const values = this.subjects.get(subjectId) ?? new Map<string, Primitive>();
    values.set(ciphertext, value);
    this.subjects.set(subjectId, values);
  }

  /** Drops every value of a subject (erasure). */
  forget(subjectId: string): void {
    this.subjects?.delete(subjectId);
  }
}

type Primitive = string | number | boolean | null;

function isPrimitive(value: unknown): value is Primitive {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
