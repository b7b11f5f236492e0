import type Database from 'better-sqlite3';
import type { Outcome } from '../../../sqlite/batched-writes.js';
import type { DurableBoundary } from './durable-boundary.js';
import { logCommits, writtenSpan, type AppendRequest, type Written } from './log-writes.js';
import { WalDurability } from './wal-durability.js';

/**
 * The SQLite log's commits on the event loop's own connection, fsynced on
 * libuv's thread pool (./wal-durability.ts): the default, and the cheapest
 * path for a lone append awaited in turn (the CLI, the tests). A server
 * under concurrent load writes on a thread of its own instead
 * (./threaded-log-writer.ts).
 */
export class InlineLogWriter {
  private readonly durability: WalDurability;
  private readonly commit: (batch: readonly AppendRequest[]) => Outcome<Written>[];

  constructor(db: Database.Database, onDurable: (through: number) => void, boundary?: DurableBoundary) {
    this.durability = new WalDurability(db.name, onDurable, boundary);
    this.commit = logCommits(db, (first) => this.durability.committing(first));
  }

  /** lowest position committed and not yet durable */
  get firstUnsynced(): number | undefined {
    return this.durability.firstUnsynced;
  }

  /** Commits `batch` now and resolves with each append's outcome once it is durable (at once when nothing was written). */
  write(batch: AppendRequest[]): Promise<Outcome<Written>[]> {
    const { failure } = this.durability;
    if (failure !== undefined) return Promise.reject(failure);
    let outcomes: Outcome<Written>[];
    try {
      outcomes = this.commit(batch);
    } catch (error) {
      return Promise.reject(error); // nothing of the batch is in the log
    }
    const written = writtenSpan(outcomes);
    if (written === undefined) return Promise.resolve(outcomes);
    return new Promise((resolve, reject) =>
      this.durability.add({
        firstPosition: written.first,
        lastPosition: written.last,
        acknowledge: () => resolve(outcomes),
        refuse: reject,
      }),
    );
  }

  settled(): Promise<void> {
    return this.durability.settled();
  }

  close(): Promise<void> {
    return this.durability.close();
  }
}
