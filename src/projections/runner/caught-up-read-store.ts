import type {
  CollectionOptions,
  Checkpoint,
  Doc,
  Fence,
  Filter,
  FindQuery,
  IndexSpec,
  Page,
  ReadStore,
  WriteOp,
} from '../store/read-store.js';
import type { ProjectionHost } from './projection-host.js';

/** What a read waits for: the host running the projections, the log's head, the bound. */
export interface CatchUpGate {
  host: Pick<ProjectionHost, 'caughtUp' | 'untilCaughtUp'>;
  /** the log's head now: a read held back waits until its projection has reached it */
  head(): Promise<number>;
  /** which projection folds each collection */
  owners: ReadonlyMap<string, string>;
  timeoutMs: number;
}

/**
 * The read store as the services read it: a read of a model whose projection
 * has not caught up with the log since the server started it (those caught
 * up after the service is ready, ledger-projections.ts) waits until that
 * projection has reached the log's head as it was when the read came in,
 * and fails after the bound with TIMEOUT, naming the projection: it never
 * answers from a model that is still missing much of the log. Once caught
 * up, a model answers at once (and `minPosition` waits as before).
 */
export class CaughtUpReadStore implements ReadStore {
  constructor(
    private readonly base: ReadStore,
    private readonly gate: CatchUpGate,
  ) {}

  get<T extends Doc>(collection: string, id: string): Promise<T | null> {
    return this.after(collection, () => this.base.get<T>(collection, id));
  }

  getMany<T extends Doc>(collection: string, ids: readonly string[]): Promise<(T | null)[]> {
    return this.after(collection, () => this.base.getMany<T>(collection, ids));
  }

  find<T extends Doc>(collection: string, query?: FindQuery): Promise<Page<T>> {
    return this.after(collection, () => this.base.find<T>(collection, query));
  }

  count(collection: string, filter?: Filter): Promise<number> {
    return this.after(collection, () => this.base.count(collection, filter));
  }

  /** `read` at once when the collection's projection has caught up (every read after the first seconds), else once it has. */
  private after<T>(collection: string, read: () => Promise<T>): Promise<T> {
    const projection = this.gate.owners.get(collection);
    if (projection === undefined || this.gate.host.caughtUp(projection)) return read();
    return this.gate
      .head()
      .then((head) => this.gate.host.untilCaughtUp(projection, head, this.gate.timeoutMs))
      .then(read);
  }

  // The rest is the projections' and the CLI's, never held back.
  ensureCollection(collection: string, indexes?: IndexSpec[], options?: CollectionOptions): Promise<void> {
    return this.base.ensureCollection(collection, indexes, options);
  }

  write(ops: readonly WriteOp[], checkpoint?: Checkpoint, fence?: Fence): Promise<void> {
    return this.base.write(ops, checkpoint, fence);
  }

  getCheckpoint(name: string): Promise<number | null> {
    return this.base.getCheckpoint(name);
  }

  listCheckpoints(): Promise<Checkpoint[]> {
    return this.base.listCheckpoints();
  }

  reset(...args: Parameters<ReadStore['reset']>): Promise<void> {
    return this.base.reset(...args);
  }

  eraseRetired(): Promise<void> {
    return this.base.eraseRetired();
  }

  promote(...args: Parameters<ReadStore['promote']>): Promise<void> {
    return this.base.promote(...args);
  }

  /** The base store belongs to the ledger. */
  async close(): Promise<void> {}
}
