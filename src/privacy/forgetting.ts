/** Something that holds opened personal values or data keys in memory, by data subject. */
export interface Forgetful {
  /** Drops everything it holds of these subjects (their keys were just destroyed). */
  forgetSubjects(subjectIds: ReadonlySet<string>): void;
}

/**
 * The one way erasure reaches memory. Each key store owns one: every cache
 * that holds values opened under its keys, or the keys themselves,
 * registers here once, and the store announces every subject a destroy
 * call names (destroyed now or before, by this process or another), after
 * the destroy. So no caller of a destroy (erasure, retention, the finishing
 * of interrupted erasures, a write that finds its key retired) has to know
 * which caches exist, and a new cache cannot be forgotten by one of them.
 *
 * Holders are kept weakly: a short-lived codec (a CLI command, a test)
 * registered with a long-lived store does not stay alive because of it.
 */
export class Forgetting {
  private readonly holders = new Set<WeakRef<Forgetful>>();

  register(holder: Forgetful): void {
    this.holders.add(new WeakRef(holder));
  }

  forget(subjectIds: Iterable<string>): void {
    const ids = new Set(subjectIds);
    if (ids.size === 0) return;
    for (const ref of this.holders) {
      const holder = ref.deref();
      if (holder) holder.forgetSubjects(ids);
      else this.holders.delete(ref);
    }
  }
}
