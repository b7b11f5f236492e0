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
 * Bounded: least recently used subjects go first.
 */
export class OpenedValueCache {
  private readonly subjects = new Map<string, Map<string, Primitive>>();
  private size = 0;

  constructor(private readonly maxValues = 100_000) {}

  get(subjectId: string, ciphertext: string): unknown {
    const values = this.subjects.get(subjectId);
    if (!values) return undefined;
    // touch: most recently used subjects sit at the end of the map
    this.subjects.delete(subjectId);
    this.subjects.set(subjectId, values);
    return values.get(ciphertext);
  }

  set(subjectId: string, ciphertext: string, value: unknown): void {
    if (!isPrimitive(value)) return;
    let values = this.subjects.get(subjectId);
    if (!values) this.subjects.set(subjectId, (values = new Map()));
    if (!values.has(ciphertext)) this.size++;
    values.set(ciphertext, value);
    while (this.size > this.maxValues) {
      const oldest = this.subjects.keys().next().value;
      if (oldest === undefined) break;
      this.forget(oldest);
    }
  }

  /** Drops every value of a subject (erasure). */
  forget(subjectId: string): void {
    const values = this.subjects.get(subjectId);
    if (!values) return;
    this.size -= values.size;
    this.subjects.delete(subjectId);
  }
}

type Primitive = string | number | boolean | null;

function isPrimitive(value: unknown): value is Primitive {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
