import type Database from 'better-sqlite3';

export type Outcome<Result> = { result: Result } | { error: unknown };

/**
 * One BEGIN IMMEDIATE transaction for a whole batch, each item in a
 * savepoint of its own: an item that throws rolls back alone and gets its
 * error as its outcome, the others commit. A failure of the transaction
 * itself (the write lock not granted, the commit failing) throws: then
 * nothing of the batch is written.
 */
export function batchedTransaction<Item, Result>(
  db: Database.Database,
  each: (item: Item) => Result,
  /** runs inside the transaction after every item, before COMMIT (what must be known before others can see the batch) */
  beforeCommit?: (outcomes: readonly Outcome<Result>[]) => void,
): (items: readonly Item[]) => Outcome<Result>[] {
  // Called inside the batch's transaction, a transaction function is a savepoint.
  const savepoint = db.transaction(each);
  const batch = db.transaction((items: readonly Item[]) => {
    const outcomes = items.map((item): Outcome<Result> => {
      try {
        return { result: savepoint(item) };
      } catch (error) {
        return { error };
      }
    });
    beforeCommit?.(outcomes);
    return outcomes;
  }).immediate;
  // A lone item needs no savepoint: if it fails, the whole transaction rolls back, which is the same.
  const lone = db.transaction((item: Item) => {
    let result: Result;
    try {
      result = each(item);
    } catch (error) {
      throw new ItemFailed(error);
    }
    const outcomes = [{ result }];
    beforeCommit?.(outcomes);
    return outcomes;
  }).immediate;
  return (items) => {
    if (items.length !== 1) return batch(items);
    try {
      return lone(items[0]!);
    } catch (error) {
      if (error instanceof ItemFailed) return [{ error: error.cause }];
      throw error; // the transaction itself failed
    }
  };
}

/** An item's own failure, told apart from the transaction's. */
class ItemFailed extends Error {
  constructor(override readonly cause: unknown) {
    super('a batched item failed');
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
