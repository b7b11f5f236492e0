import type Database from 'better-sqlite3';

export type Outcome<Result> = { result: Result } | { error: unknown };

/**
 * One BEGIN IMMEDIATE transaction for a whole batch, each item in a
 * savepoint of its own: an item that throws rolls back alone and gets its
 * error as its outcome, the others commit. A failure of the transaction
 * itself (the write lock not granted, the commit failing) throws: then
 * nothing of the batch is written.
 *
 * `optimistic`: the items run without savepoints (two statements each
 * fewer), for an `each` that throws RefusedUnwritten when it refuses an
 * item before writing any of it. Any other failure may have left part of
 * an item written: the whole transaction rolls back, and the batch runs
 * again, each item in its savepoint. An `each` that keeps state outside
 * the database must not ask for this, unless `begin` resets that state: it
 * runs first in each transaction, the one run again included.
 */
export function batchedTransaction<Item, Result>(
  db: Database.Database,
  each: (item: Item) => Result,
  /** runs inside the transaction after every item, before COMMIT (what must be known before others can see the batch) */
  beforeCommit?: (outcomes: readonly Outcome<Result>[]) => void,
  options: { optimistic?: boolean; begin?: () => void } = {},
): (items: readonly Item[]) => Outcome<Result>[] {
  // One transaction over the items, each run by `run`: an item refused before
  // writing is its own outcome; `failed` decides what any other failure is.
  const batchOf = (run: (item: Item) => Result, failed: (error: unknown) => Outcome<Result>) =>
    db.transaction((items: readonly Item[]) => {
      options.begin?.();
      const outcomes = items.map((item): Outcome<Result> => {
        try {
          return { result: run(item) };
        } catch (error) {
          return error instanceof RefusedUnwritten ? { error: error.reason } : failed(error);
        }
      });
      beforeCommit?.(outcomes);
      return outcomes;
    }).immediate;
  // Called inside the batch's transaction, a transaction function is a savepoint: a failed item rolls back alone.
  const inSavepoints = batchOf(db.transaction(each), (error) => ({ error }));
  // Without savepoints a failed item may have written part of itself: the whole transaction must roll back.
  const withoutSavepoints = batchOf(each, (error) => {
    throw new PartlyWritten(error);
  });
  return (items) => {
    // A lone item needs no savepoint even so: if it fails, the whole transaction rolls back, which is the same.
    if (!options.optimistic && items.length !== 1) return inSavepoints(items);
    try {
      return withoutSavepoints(items);
    } catch (error) {
      if (!(error instanceof PartlyWritten)) throw error; // the transaction itself failed
      return items.length === 1 ? [{ error: error.reason }] : inSavepoints(items);
    }
  };
}

/** Thrown by a batched item's `each` that refuses the item before writing anything of it (see batchedTransaction). */
export class RefusedUnwritten extends Error {
  constructor(readonly reason: unknown) {
    super('refused before writing');
  }
}

/** An item's failure after it may have written part of itself: its transaction must roll back whole. */
class PartlyWritten extends Error {
  constructor(readonly reason: unknown) {
    super('a batched item failed after writing');
  }
}

/**
 * Collects what is asked in one turn of the event loop and hands it over as
 * one batch on the next (setImmediate): concurrent requests then share one
 * transaction and one commit instead of paying for one each, and a lone
 * request waits no longer than the current turn.
 */
export class SameTurnBatches<Item> {
  private items: Item[] = [];

  constructor(private readonly flush: (items: Item[]) => void) {}

  push(item: Item): void {
    this.items.push(item);
    if (this.items.length === 1) setImmediate(() => this.drain());
  }

  /** Hands over what is queued now (also before anything that must come after it, such as a close). */
  drain(): void {
    const items = this.items;
    if (items.length === 0) return;
    this.items = [];
    this.flush(items);
  }
}

/** Settles each pending request with its outcome, in order. */
export function settleAll<Result>(
  pending: ReadonlyArray<{ resolve(result: Result): void; reject(error: unknown): void }>,
  outcomes: readonly Outcome<Result>[],
): void {
  outcomes.forEach((o, i) => ('result' in o ? pending[i]!.resolve(o.result) : pending[i]!.reject(o.error)));
}
