/**
 * The read store port: named collections of JSON documents that projections
 * write and resolvers read. Adapters: SQLite (embedded), MongoDB (distributed).
 * Every adapter passes test/projections/store/read-store.contract.ts.
 *
 * Field names in filters, sorts, indexes and patches are dotted paths into the
 * document ("contact.email"). Every document has a string `id`.
 *
 * Documents that reads return may be shared with other readers: treat them
 * as read-only (the SQLite adapter caches them deep-frozen).
 */
export type Doc = { id: string } & Record<string, unknown>;

export type Scalar = string | number | boolean | null;

export interface FieldCondition {
  eq?: Scalar;
  ne?: Scalar;
  in?: Scalar[];
  gt?: string | number;
  gte?: string | number;
  lt?: string | number;
  lte?: string | number;
}

/** Every entry must hold (AND). A bare scalar means equality. */
export type Filter = Record<string, Scalar | FieldCondition>;

export interface SortKey {
  field: string;
  direction?: 'asc' | 'desc';
}

export interface FindQuery {
  filter?: Filter;
  /** `id` ascending is always appended as the final tie-breaker. */
  sort?: SortKey[];
  /** page size (default 50) */
  first?: number;
  /** an opaque cursor returned as `endCursor` by the previous page */
  after?: string;
}

export interface Page<T> {
  items: T[];
  /** each item's cursor: `after` it continues with the next item */
  cursors: string[];
  /** cursor of the last item, null for an empty page */
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface IndexSpec {
  name: string;
  fields: SortKey[];
  unique?: boolean;
}

export type WriteOp =
  | { kind: 'upsert'; collection: string; doc: Doc }
  /** sets dotted paths (undefined removes the field, as JSON leaves it out); a no-op if the document does not exist */
  | { kind: 'patch'; collection: string; id: string; set: Record<string, unknown> }
  /** `erase`: the document held something that must not outlive its erasure (an SQLite store then truncates its WAL after the commit) */
  | { kind: 'delete'; collection: string; id: string; erase?: true };

export interface Checkpoint {
  name: string;
  position: number;
}

/**
 * Proof that the writer holds a projection's lease (./lease.ts): the
 * lease's name and the fencing token it was granted.
 */
export interface Fence {
  lease: string;
  token: number;
}

/** A read model built beside the live one (an online rebuild), under other names. */
export interface StagedModel {
  /** the checkpoint the staged model was written with */
  checkpoint: string;
  /** each staged collection and the live collection it replaces */
  collections: ReadonlyArray<{ staged: string; live: string }>;
}

/**
 * `bulkLoad`: the collection is about to be filled from empty (a rebuild
 * replaying the whole log): its non-unique indexes may be left out until
 * ensureCollection is called again without it, which then builds each in
 * one pass instead of keeping it up row by row. Reads meanwhile give the
 * same answers, only slower.
 */
export interface BulkLoad {
  bulkLoad?: boolean;
}

/**
 * `key`: an integer field every document of the collection holds, unique to
 * it and never changed (the audit trail's log position), which an adapter
 * may key its storage by instead of the text `id`: SQLite makes it the
 * table's row key, so rows appended in key order go to the end of the
 * table and indexes that name it end with it instead of the id. Reads,
 * cursors and `id` lookups answer as without it. A document keeps its key
 * for life: an upsert that gives a key to another id is refused (SQLite).
 */
export interface CollectionOptions extends BulkLoad {
  key?: string;
}

/**
 * `aside`: the old model is moved out of the way at once and erased
 * afterwards, off the caller's path (an adapter whose drop costs little may
 * simply drop). Readers see the collections empty right away either way.
 */
export interface ResetOptions {
  aside?: boolean;
}

export interface ReadStore {
  /** Creates the collection and its indexes if missing (idempotent); see BulkLoad and CollectionOptions. */
  ensureCollection(collection: string, indexes?: IndexSpec[], options?: CollectionOptions): Promise<void>;
  get<T extends Doc>(collection: string, id: string): Promise<T | null>;
  /** One result per id, in the order of `ids`, null where absent. */
  getMany<T extends Doc>(collection: string, ids: readonly string[]): Promise<(T | null)[]>;
  find<T extends Doc>(collection: string, query?: FindQuery): Promise<Page<T>>;
  count(collection: string, filter?: Filter): Promise<number>;
  /**
   * Applies the operations in order, and moves the checkpoint if given, all
   * in one transaction: after a crash either all of it is there or none.
   *
   * Idempotent by log position: when the stored checkpoint is already at or
   * past `checkpoint.position`, the batch was committed before (a retry
   * after an unknown outcome, a worker that replays) and nothing is applied.
   *
   * With a fence, the same transaction checks that the lease still carries
   * the fence's token and otherwise applies nothing and rejects with
   * LeaseLostError: a deposed worker's late write never lands.
   */
  write(ops: readonly WriteOp[], checkpoint?: Checkpoint, fence?: Fence): Promise<void>;
  /** null when the projection never committed. */
  getCheckpoint(name: string): Promise<number | null>;
  listCheckpoints(): Promise<Checkpoint[]>;
  /** Drops the collections and the checkpoint together (for a rebuild); see ResetOptions. */
  reset(name: string, collections: readonly string[], options?: ResetOptions): Promise<void>;
  /**
   * Resolves once nothing a reset moved aside or a promote replaced is left
   * in the store, erasing now what is left (a rebuild's old model is
   * erased in the background after it: ResetOptions).
   */
  eraseRetired(): Promise<void>;
  /**
   * Makes a staged model the live one of projection `name`: its collections
   * replace the live ones and its checkpoint becomes `name`'s. Readers see
   * the old model or the new one, never a mix, and never nothing. The lease
   * `name`, if any, gets a new token and is released, so the worker that ran
   * the old model has its next write refused and resumes from the new
   * checkpoint, and no other waits for its grant to run out. Indexes
   * come along; ensureCollection afterwards puts them under their own names.
   */
  promote(name: string, staged: StagedModel): Promise<void>;
  close(): Promise<void>;
}
