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
  ResetOptions,
  StagedModel,
  WriteOp,
} from '../store/read-store.js';
import { renamed, rowLoadingOf, type RowLoading } from '../store/sqlite/prepared-rows.js';

/** Where an online rebuild of projection `name` builds its model, beside the live one. */
export function stagedModel(name: string, collections: readonly string[]): StagedModel {
  return { checkpoint: `${name}:staged`, collections: collections.map((live) => ({ staged: `${live}_staged`, live })) };
}

/**
 * The read store as a projection sees it while it is rebuilt online: the
 * projection reads and writes its usual collection names and checkpoint,
 * which land in the staged ones (`<collection>_staged`, `<name>:staged`),
 * so the live model keeps answering queries until promote switches them.
 */
export class StagedReadStore implements ReadStore {
  private readonly names: Map<string, string>;
  /** When the base store takes prepared rows (../store/sqlite/prepared-rows.ts): into the staged collections. */
  readonly rowLoading?: RowLoading;

  constructor(
    private readonly base: ReadStore,
    private readonly name: string,
    private readonly staged: StagedModel,
  ) {
    this.names = new Map(staged.collections.map((c) => [c.live, c.staged]));
    const rows = rowLoadingOf(base);
    if (rows) {
      this.rowLoading = {
        rowLayouts: (collections) => rows.rowLayouts(collections.map((c) => this.map(c))),
        writePrepared: (batch, checkpoint, fence) =>
          rows.writePrepared(
            renamed(batch, (c) => this.map(c)),
            { ...checkpoint, name: this.checkpoint(checkpoint.name) },
            fence,
          ),
      };
    }
  }

  private map(collection: string): string {
    return this.names.get(collection) ?? collection;
  }

  private checkpoint(name: string): string {
    return name === this.name ? this.staged.checkpoint : name;
  }

  ensureCollection(collection: string, indexes?: IndexSpec[], options?: CollectionOptions): Promise<void> {
    return this.base.ensureCollection(this.map(collection), indexes, options);
  }

  get<T extends Doc>(collection: string, id: string): Promise<T | null> {
    return this.base.get<T>(this.map(collection), id);
  }

  getMany<T extends Doc>(collection: string, ids: readonly string[]): Promise<(T | null)[]> {
    return this.base.getMany<T>(this.map(collection), ids);
  }

  find<T extends Doc>(collection: string, query?: FindQuery): Promise<Page<T>> {
    return this.base.find<T>(this.map(collection), query);
  }

  count(collection: string, filter?: Filter): Promise<number> {
    return this.base.count(this.map(collection), filter);
  }

  write(ops: readonly WriteOp[], checkpoint?: Checkpoint, fence?: Fence): Promise<void> {
    return this.base.write(
      ops.map((op) => ({ ...op, collection: this.map(op.collection) })),
      checkpoint && { ...checkpoint, name: this.checkpoint(checkpoint.name) },
      fence,
    );
  }

  async getCheckpoint(name: string): Promise<number | null> {
    return this.base.getCheckpoint(this.checkpoint(name));
  }

  listCheckpoints(): Promise<Checkpoint[]> {
    return this.base.listCheckpoints();
  }

  reset(name: string, collections: readonly string[], options?: ResetOptions): Promise<void> {
    return this.base.reset(
      this.checkpoint(name),
      collections.map((c) => this.map(c)),
      options,
    );
  }

  eraseRetired(): Promise<void> {
    return this.base.eraseRetired();
  }

  /** The staged model is promoted through the base store, never from inside itself. */
  promote(): Promise<void> {
    return Promise.reject(new Error('a staged read store cannot promote'));
  }

  /** The base store belongs to the caller. */
  async close(): Promise<void> {}
}
