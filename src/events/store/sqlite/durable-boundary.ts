/** Atomics.waitAsync (Node 16+; in TypeScript's lib from ES2024 on). */
type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
  timeoutMs?: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/**
 * Shared between one process's thread that appends to the SQLite log and the
 * threads that read the same file through connections of their own (the
 * projection thread, src/projections/runner/thread/): where the appending thread's
 * not yet durable part of the log begins, and a signal each time more became
 * durable.
 *
 * SQLite makes a commit visible to every connection at once, before the
 * store that made it has fsynced it; a reader on another thread must not
 * deliver it until then. The writer sets the boundary inside its
 * transaction, before COMMIT, and moves it once the fsync is done, so a
 * reader that can see a commit also sees its boundary. Shared memory, read
 * and written atomically: no message between threads on the write path.
 */
export class DurableBoundary {
  private readonly word: BigInt64Array;
  private readonly signal: Int32Array;
  private readonly through: BigInt64Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(24)) {
    this.word = new BigInt64Array(buffer, 0, 1);
    this.signal = new Int32Array(buffer, 8, 1);
    this.through = new BigInt64Array(buffer, 16, 1);
  }

  /**
   * Every event up to this position is durable, whoever committed it: the
   * writer's last fsync started after its commit of this position, and
   * every commit before it (positions are handed out in commit order) was
   * in the WAL by then. 0: nothing known yet.
   */
  durableThrough(): number {
    return Number(Atomics.load(this.through, 0));
  }

  /** After an fsync that started after the commit of `position`. */
  markDurableThrough(position: number): void {
    if (position > Number(Atomics.load(this.through, 0))) Atomics.store(this.through, 0, BigInt(position));
  }

  /** The lowest position committed and not yet durable, or undefined when all is durable. */
  get(): number | undefined {
    const value = Atomics.load(this.word, 0);
    return value === 0n ? undefined : Number(value);
  }

  set(position: number | undefined): void {
    Atomics.store(this.word, 0, BigInt(position ?? 0));
  }

  /** More of the log became durable: wakes the thread watching. */
  announce(): void {
    Atomics.add(this.signal, 0, 1);
    Atomics.notify(this.signal, 0);
  }

  /**
   * Calls `onDurable` on this thread after announcements (several made while
   * it was busy count as one), without blocking its event loop. Returns the
   * function that stops watching.
   */
  watch(onDurable: () => void): () => void {
    let watching = true;
    void (async () => {
      let seen = Atomics.load(this.signal, 0);
      while (watching) {
        const wait = waitAsync(this.signal, 0, seen, 1_000);
        if (wait.async) await wait.value;
        const now = Atomics.load(this.signal, 0);
        if (watching && now !== seen) onDurable();
        seen = now;
      }
    })();
    return () => {
      watching = false;
      Atomics.notify(this.signal, 0);
    };
  }
}
