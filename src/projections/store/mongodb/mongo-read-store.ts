import type { ClientSession, Collection, Db, MongoClient, TransactionOptions } from 'mongodb';
import { ValidationError } from '../../../errors.js';
import { cursorEncoder, decodeCursor } from '../cursor.js';
import { LeaseLostError, RELEASED } from '../lease.js';
import { checkCollectionName, effectiveSort, pinnedFields } from '../query-terms.js';
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
} from '../read-store.js';
import { bulkGroups, type StoredDoc } from './mongo-bulk.js';
import { mongoIndex, sameIndex } from './mongo-indexes.js';
import { afterSlices, mongoFilter, mongoSort, sortValue } from './mongo-query.js';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 1000;
/** MongoDB's "collection already exists" and "namespace not found" error codes */
const NAMESPACE_EXISTS = 48;
const NAMESPACE_NOT_FOUND = 26;

/** The collections of the read store besides the documents', in the same database. */
export const mongoCollections = { checkpoints: '_checkpoints', leases: '_leases' } as const;

interface StoredCheckpoint {
  _id: string;
  position: number;
}

interface StoredLease {
  _id: string;
  token: number;
}

/** majority: an acknowledged batch survives the loss of the primary; snapshot: the batch reads one consistent state. */
const TRANSACTION: TransactionOptions = {
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
  readPreference: 'primary',
};

/**
 * The distributed read store: one MongoDB collection per read-model
 * collection, `doc_<name>`, holding each document as `{ ...doc, _id: id }`,
 * and `_checkpoints` holding `{ _id: projection, position }`, in one
 * database of a replica set (transactions need one).
 *
 * A write is one transaction (majority write concern): the fence check,
 * then the operations as few bulkWrite calls as their order allows
 * (./mongo-bulk.ts), then the checkpoint. The
 * driver's withTransaction retries transient errors and unknown commit
 * outcomes; the checkpoint check at the start makes a batch that did commit
 * apply nothing the second time.
 *
 * Collections are created before the transaction that first writes them
 * (creating one inside a transaction needs read concern "local"), so a
 * failed batch may leave an empty collection behind, which reads as before.
 */
export class MongoReadStore implements ReadStore {
  /** collections known to exist */
  private readonly existing = new Set<string>();

  constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    /** whether close() also closes the client (false when the client is shared) */
    private readonly ownsClient = false,
  ) {}

  private collection(name: string): Collection<StoredDoc> {
    checkCollectionName(name);
    return this.db.collection<StoredDoc>(`doc_${name}`);
  }

  private async create(name: string): Promise<void> {
    if (this.existing.has(name)) return;
    try {
      await this.db.createCollection(name);
    } catch (error) {
      if ((error as { code?: unknown }).code !== NAMESPACE_EXISTS) throw error;
    }
    this.existing.add(name);
  }

  /**
   * Creates the collection and each declared index under its own name
   * (./mongo-indexes.ts); an index whose declaration changed is rebuilt.
   * `bulkLoad` leaves the non-unique indexes for the next call. A `key`
   * changes nothing here: documents are keyed by `_id`, the id, either way.
   */
  async ensureCollection(
    collection: string,
    indexes: IndexSpec[] = [],
    options: CollectionOptions = {},
  ): Promise<void> {
    const target = this.collection(collection);
    const specs = indexes.filter((index) => index.unique || !options.bulkLoad).map(mongoIndex);
    await this.create(target.collectionName);
    const present = new Map((await target.listIndexes().toArray()).map((index) => [index['name'] as string, index]));
    for (const spec of specs) {
      const existing = present.get(spec.name);
      if (sameIndex(existing, spec)) continue;
      if (existing !== undefined) await target.dropIndex(spec.name);
      await target.createIndex(spec.key, {
        name: spec.name,
        unique: spec.unique,
        ...(spec.partial ? { partialFilterExpression: spec.partial } : {}),
      });
    }
  }

  async get<T extends Doc>(collection: string, id: string): Promise<T | null> {
    return (await this.collection(collection).findOne({ _id: id }, { projection: { _id: 0 } })) as unknown as T | null;
  }

  async getMany<T extends Doc>(collection: string, ids: readonly string[]): Promise<(T | null)[]> {
    const target = this.collection(collection);
    if (ids.length === 0) return [];
    const docs = (await target
      .find({ _id: { $in: [...new Set(ids)] } }, { projection: { _id: 0 } })
      .toArray()) as unknown as T[];
    const found = new Map(docs.map((doc) => [doc.id, doc]));
    return ids.map((id) => found.get(id) ?? null);
  }

  async find<T extends Doc>(collection: string, query: FindQuery = {}): Promise<Page<T>> {
    const target = this.collection(collection);
    const first = query.first ?? DEFAULT_PAGE;
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
      throw new ValidationError('first', `must be an integer from 1 to ${MAX_PAGE}`);
    const filter = mongoFilter(query.filter ?? {});
    const sort = effectiveSort(query.sort ?? [], pinnedFields(filter.terms));
    const slices = query.after == null ? [null] : afterSlices(sort, decodeCursor(query.after, sort));
    // Fetch one more than asked to know whether another page follows.
    const docs: T[] = [];
    for (const slice of slices) {
      if (docs.length > first) break;
      const where = slice === null ? filter.query : { $and: [filter.query, slice] };
      const found = await target
        .find(where, { sort: mongoSort(sort), limit: first + 1 - docs.length, projection: { _id: 0 } })
        .toArray();
      docs.push(...(found as unknown as T[]));
    }
    const page = docs.slice(0, first);
    const encode = cursorEncoder(sort);
    const cursors = page.map((doc) => encode(sort.map((key) => sortValue(doc, key.field))));
    return { items: page, cursors, endCursor: cursors.at(-1) ?? null, hasNextPage: docs.length > first };
  }

  async count(collection: string, filter: Filter = {}): Promise<number> {
    const target = this.collection(collection);
    return target.countDocuments(mongoFilter(filter).query);
  }

  async write(ops: readonly WriteOp[], checkpoint?: Checkpoint, fence?: Fence): Promise<void> {
    if (checkpoint && (typeof checkpoint.name !== 'string' || !Number.isSafeInteger(checkpoint.position))) {
      throw new Error('a checkpoint needs a name and an integer position');
    }
    // Everything is checked before anything is sent: a bad batch applies nothing.
    const groups = bulkGroups(ops, (name) => this.collection(name).collectionName);
    if (groups.length === 0 && !checkpoint && !fence) return;
    for (const group of groups) await this.create(group.collection);
    if (checkpoint) await this.create(mongoCollections.checkpoints);
    const session = this.client.startSession();
    try {
      await session.withTransaction(async () => {
        if (fence) await this.checkFence(fence, session);
        const checkpoints = this.db.collection<StoredCheckpoint>(mongoCollections.checkpoints);
        if (checkpoint) {
          const stored = await checkpoints.findOne({ _id: checkpoint.name }, { session });
          if (stored && stored.position >= checkpoint.position) return;
        }
        for (const group of groups)
          await this.db
            .collection<StoredDoc>(group.collection)
            .bulkWrite(group.ops, { session, ordered: group.ordered });
        if (checkpoint)
          await checkpoints.updateOne(
            { _id: checkpoint.name },
            { $set: { position: checkpoint.position } },
            { session, upsert: true },
          );
      }, TRANSACTION);
    } finally {
      await session.endSession();
    }
  }

  /**
   * Writes the lease document inside the transaction: a takeover that
   * commits first makes the token differ, and one that commits meanwhile
   * makes this write conflict, so the transaction retries and then sees it.
   */
  private async checkFence(fence: Fence, session: ClientSession): Promise<void> {
    const leases = this.db.collection<StoredLease>(mongoCollections.leases);
    const result = await leases.updateOne(
      { _id: fence.lease, token: fence.token },
      { $currentDate: { fencedWriteAt: true } },
      { session },
    );
    if (result.matchedCount === 0) throw new LeaseLostError(fence.lease);
  }

  async getCheckpoint(name: string): Promise<number | null> {
    const stored = await this.db.collection<StoredCheckpoint>(mongoCollections.checkpoints).findOne({ _id: name });
    return stored?.position ?? null;
  }

  async listCheckpoints(): Promise<Checkpoint[]> {
    const stored = await this.db
      .collection<StoredCheckpoint>(mongoCollections.checkpoints)
      .find({}, { sort: { _id: 1 } })
      .toArray();
    return stored.map((c) => ({ name: c._id, position: c.position }));
  }

  /**
   * Forgets the checkpoint first, then drops the collections (MongoDB drops
   * no collection inside a transaction): a crash in between leaves
   * documents and no checkpoint, and a replay from the start over them
   * (skipping what each document has seen) ends where a clean one would.
   */
  /**
   * Drops at once, `aside` or not: a MongoDB drop removes the collection's
   * storage without going through its documents (no secure_delete to pay
   * for), so moving it aside would save nothing. eraseRetired has nothing to wait for.
   */
  async reset(name: string, collections: readonly string[], _options?: ResetOptions): Promise<void> {
    const targets = collections.map((c) => this.collection(c).collectionName);
    await this.db
      .collection<StoredCheckpoint>(mongoCollections.checkpoints)
      .deleteOne({ _id: name }, { writeConcern: { w: 'majority' } });
    for (const target of targets) {
      try {
        await this.db.dropCollection(target, { writeConcern: { w: 'majority' } });
      } catch (error) {
        if ((error as { code?: unknown }).code !== NAMESPACE_NOT_FOUND) throw error;
      }
      this.existing.delete(target);
    }
  }

  /**
   * MongoDB renames no collection inside a transaction, so the switch is a
   * sequence that is safe to interrupt anywhere: bump the lease's token and
   * release it (the old model's worker stops writing), lower the live checkpoint to
   * the older of the two models, rename each staged collection over its
   * live one (renameCollection with dropTarget: readers see one or the
   * other; index names are per collection and come along), then set the
   * staged position, forget the staged checkpoint and bump the token again
   * (a worker that took the lease back meanwhile resumes from the new
   * checkpoint). A crash midway leaves a checkpoint at or below what the
   * live model holds, and replaying from there changes nothing it has seen.
   */
  async promote(name: string, staged: StagedModel): Promise<void> {
    const pairs = staged.collections.map(({ staged: from, live: to }) => ({
      from: this.collection(from).collectionName,
      to: this.collection(to).collectionName,
    }));
    const checkpoints = this.db.collection<StoredCheckpoint>(mongoCollections.checkpoints, {
      writeConcern: { w: 'majority' },
    });
    const leases = this.db.collection<StoredLease>(mongoCollections.leases, { writeConcern: { w: 'majority' } });
    const position = (await checkpoints.findOne({ _id: staged.checkpoint }))?.position;
    if (position === undefined) throw new Error(`nothing staged under checkpoint "${staged.checkpoint}"`);
    await leases.updateOne({ _id: name }, { $inc: { token: 1 }, $set: { expiresAt: RELEASED } });
    await checkpoints.updateOne({ _id: name }, { $min: { position } });
    for (const { from, to } of pairs) {
      await this.create(from);
      await this.db.renameCollection(from, to, { dropTarget: true });
      this.existing.delete(from);
      this.existing.add(to);
    }
    await checkpoints.updateOne({ _id: name }, { $set: { position } }, { upsert: true });
    await checkpoints.deleteOne({ _id: staged.checkpoint });
    await leases.updateOne({ _id: name }, { $inc: { token: 1 }, $set: { expiresAt: RELEASED } });
  }

  async eraseRetired(): Promise<void> {}

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }
}
