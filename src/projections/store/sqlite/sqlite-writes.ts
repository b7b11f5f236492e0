import type Database from 'better-sqlite3';
import { batchedTransaction, type Outcome, SameTurnBatches, settleAll } from '../../../sqlite/batched-writes.js';
import { LeaseLostError } from '../lease.js';
import { checkFieldPath } from '../query-terms.js';
import type { Checkpoint, Fence, WriteOp } from '../read-store.js';
import type { DocCache } from './doc-cache.js';
import type { DocChanges } from './doc-changes.js';
import { columnName, type Columns } from './sql-filter.js';
import {
  type PreparedBatch,
  preparedWrites,
  type RowLayout,
  type RowLoading,
  rowValues,
  sameLayout,
} from './prepared-rows.js';
import { refreshColumns } from './sqlite-columns.js';
import { wholeBodySql } from './sqlite-table-key.js';

interface QueuedWrite {
  /** operations, or upserts already turned into rows (./prepared-rows.ts) */
  ops: readonly WriteOp[] | PreparedBatch;
  checkpoint: Checkpoint | undefined;
  fence: Fence | undefined;
  resolve(result: void): void;
  reject(error: unknown): void;
}

/** What the writes need of the SQLite read store they write for. */
export interface WriteTarget {
  db: Database.Database;
  /** a prepared statement, reused */
  statement(sql: string): Database.Statement;
  /** the collection's table, the fields it stores in columns and its key (./sqlite-table-key.ts); `created` when this call created it */
  table(collection: string): { table: string; created: boolean; columns: Columns; key: string | undefined };
  /** a table created by a write that rolled back is gone again */
  forgetTable(table: string): void;
  /**
   * Inside the write's transaction, before it writes: forgets what it knew
   * of the tables if another connection changed the schema since (added
   * columns: a write that left them out would break their invariant).
   */
  checkSchema(): void;
  docs: DocCache;
  changes: DocChanges;
  /** after each commit */
  committed(): void;
  /** after a commit that erased a document, what must go with it */
  erased(): Promise<void>;
}

/**
 * The write side of the SQLite read store (./sqlite-read-store.ts). Writes
 * asked in the same turn of the event loop (every projection woken by the
 * same appends) commit together: one BEGIN IMMEDIATE transaction, one
 * commit, each write in its own savepoint, so a write refused (its lease
 * lost) or failing rolls back alone. IMMEDIATE: the fence and checkpoint
 * checks read before writing, and another process (a worker taking the lease
 * over) may write between; holding the write lock from the start makes
 * check and write one step.
 */
export class SqliteWrites implements RowLoading {
  private readonly commitBatch: (batch: readonly QueuedWrite[]) => Outcome<void>[];
  private readonly queued = new SameTurnBatches<QueuedWrite>((batch) => this.flush(batch));
  /** tables created by the running batch, forgotten again if it rolls back */
  private created: string[] = [];

  constructor(private readonly target: WriteTarget) {
    this.commitBatch = batchedTransaction(
      target.db,
      (write: QueuedWrite) => this.writeOne(write),
      () => target.changes.record(),
    );
  }

  write(ops: readonly WriteOp[] | PreparedBatch, checkpoint?: Checkpoint, fence?: Fence): Promise<void> {
    if (checkpoint && (typeof checkpoint.name !== 'string' || !Number.isSafeInteger(checkpoint.position))) {
      return Promise.reject(new Error('a checkpoint needs a name and an integer position'));
    }
    return new Promise<void>((resolve, reject) => this.queued.push({ ops, checkpoint, fence, resolve, reject }));
  }

  rowLayouts(collections: readonly string[]): RowLayout[] {
    this.drain(); // a table changed by writes asked before is read as they left it
    return collections.map((collection) => {
      const { columns, key } = this.target.table(collection);
      return { columns: [...columns], key };
    });
  }

  /** A write of rows prepared on another thread, as the read store's `write` (./sqlite-read-store.ts). */
  async writePrepared(batch: PreparedBatch, checkpoint: Checkpoint, fence?: Fence): Promise<void> {
    await this.write(batch, checkpoint, fence);
    for (const write of preparedWrites(batch))
      if (!Array.isArray(write) && write.kind === 'delete' && write.erase) return this.target.erased();
  }

  /** Commits what is queued now (before anything that must come after it). */
  drain(): void {
    this.queued.drain();
  }

  private flush(batch: readonly QueuedWrite[]): void {
    this.created = [];
    let outcomes: Outcome<void>[];
    try {
      outcomes = this.commitBatch(batch);
    } catch (error) {
      // The rollback dropped the tables this batch created.
      this.target.changes.discard();
      this.forgetCreated(0);
      for (const write of batch) write.reject(error);
      return;
    }
    this.target.committed();
    settleAll(batch, outcomes);
  }

  /** One write, in its savepoint: fence, then the checkpoint (already past it: nothing to do), then the operations. */
  private writeOne({ ops, checkpoint, fence }: QueuedWrite): void {
    const { statement } = this.target;
    const mark = this.created.length;
    try {
      this.target.checkSchema();
      if (fence && statement('SELECT token FROM _leases WHERE name = ?').pluck().get(fence.lease) !== fence.token) {
        throw new LeaseLostError(fence.lease);
      }
      if (checkpoint) {
        const stored = statement('SELECT position FROM _checkpoints WHERE name = ?').pluck().get(checkpoint.name) as
          number | undefined;
        if (stored !== undefined && stored >= checkpoint.position) return;
      }
      if (Array.isArray(ops)) for (const op of ops as readonly WriteOp[]) this.apply(op);
      else this.applyPrepared(ops as PreparedBatch);
      if (checkpoint) {
        statement(
          'INSERT INTO _checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
        ).run(checkpoint.name, checkpoint.position);
      }
    } catch (error) {
      // The savepoint's rollback drops the tables it created.
      this.forgetCreated(mark);
      throw error;
    }
  }

  private forgetCreated(from: number): void {
    for (const table of this.created.splice(from)) this.target.forgetTable(table);
  }

  /** The collection's table, noted as created by this write when it was. */
  private tableOf(collection: string): ReturnType<WriteTarget['table']> {
    const shape = this.target.table(collection);
    if (shape.created) this.created.push(shape.table);
    return shape;
  }

  /** Dropped before the change: if the transaction rolls back, the next read simply parses again. */
  private changing(table: string, id: string): void {
    this.target.docs.forget(table, id);
    if (typeof id === 'string') this.target.changes.note(table, id);
  }

  /** Stores an upsert's row (`id, body, ...column values` in the order of `columns`). */
  private upsertRow(collection: string, shape: ReturnType<WriteTarget['table']>, row: readonly unknown[]): void {
    const { table, columns, key } = shape;
    const { changes } = this.target.statement(upsertSql(table, columns, key)).run(...row);
    // keyed: the conflict on the key updated nothing, so another id holds it
    if (changes === 0) throw new Error(`upsert into "${collection}": another document holds its "${String(key)}"`);
  }

  /** A prepared batch: each row as prepared, provided its table is still laid out as it was prepared for. */
  private applyPrepared(batch: PreparedBatch): void {
    const shapes = batch.collections.map((collection, i) => {
      const shape = this.tableOf(collection);
      if (!sameLayout({ columns: [...shape.columns], key: shape.key }, batch.layouts[i]!))
        throw new Error(`"${collection}" changed its columns while rows were prepared for it`);
      return shape;
    });
    for (const write of preparedWrites(batch)) {
      if (!Array.isArray(write)) {
        this.apply(write);
        continue;
      }
      const [at, row] = write;
      this.changing(shapes[at]!.table, row[0] as string);
      this.upsertRow(batch.collections[at]!, shapes[at]!, row);
    }
  }

  private apply(op: WriteOp): void {
    const { statement } = this.target;
    const shape = this.tableOf(op.collection);
    const { table, columns, key } = shape;
    this.changing(table, op.kind === 'upsert' ? op.doc?.id : op.id);
    switch (op.kind) {
      case 'upsert':
        return this.upsertRow(op.collection, shape, rowValues(op.collection, op.doc, layoutOf(columns, key), columns));
      case 'patch': {
        const entries = Object.entries(op.set);
        for (const [field] of entries) {
          checkFieldPath(field);
          for (const fixed of key === undefined ? ['id'] : ['id', key])
            if (field === fixed || field.startsWith(`${fixed}.`))
              throw new Error(`patch of "${op.collection}": the ${fixed} cannot change`);
        }
        if (entries.length === 0) return;
        // A keyed table's body first takes back the fields kept apart: the patch then works on the whole document.
        if (key !== undefined) for (const sql of wholeBodySql(table, columns)) statement(sql).run(op.id);
        // json_set creates missing intermediate objects; json(?) keeps the value's JSON type.
        // undefined removes the field, as JSON leaves it out of an upsert (and MongoDB does the same).
        const sets = entries.filter(([, value]) => value !== undefined);
        const removed = entries.filter(([, value]) => value === undefined).map(([field]) => `'$.${field}'`);
        let body =
          sets.length === 0 ? 'body' : `json_set(body, ${sets.map(([field]) => `'$.${field}', json(?)`).join(', ')})`;
        if (removed.length > 0) body = `json_remove(${body}, ${removed.join(', ')})`;
        statement(`UPDATE ${table} SET body = ${body} WHERE id = ?`).run(
          ...sets.map(([, value]) => JSON.stringify(value)),
          op.id,
        );
        if (columns.size > 0) statement(`UPDATE ${table} SET ${refreshColumns(columns)} WHERE id = ?`).run(op.id);
        return;
      }
      case 'delete':
        statement(`DELETE FROM ${table} WHERE id = ?`).run(op.id);
        return;
      default:
        throw new Error(`unknown write operation "${String((op as { kind: unknown }).kind)}"`);
    }
  }
}

/** Each table's row layout, by its columns (a table's columns are read again, as a new set, when they change). */
const layouts = new WeakMap<Columns, RowLayout>();
function layoutOf(columns: Columns, key: string | undefined): RowLayout {
  const known = layouts.get(columns);
  if (known && known.key === key) return known;
  const layout = { columns: [...columns], key };
  layouts.set(columns, layout);
  return layout;
}

/** Each table's upsert, by its columns (a table's columns are read again, as a new set, when they change). */
const upserts = new WeakMap<Columns, string>();

/**
 * An upsert of the document and its columns (./sqlite-columns.ts), in the
 * order of `columns`. A keyed table (./sqlite-table-key.ts) conflicts on
 * its key, and updates only the same id's row there.
 */
function upsertSql(table: string, columns: Columns, key: string | undefined): string {
  let sql = upserts.get(columns);
  if (sql === undefined) {
    const names = ['id', 'body', ...[...columns].map(columnName)];
    const updates = names.slice(1).map((name) => `${name} = excluded.${name}`);
    const conflict = key === undefined ? 'id' : columnName(key);
    const sameId = key === undefined ? '' : ' WHERE id = excluded.id';
    sql = `INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')}) ON CONFLICT (${conflict}) DO UPDATE SET ${updates.join(', ')}${sameId}`;
    upserts.set(columns, sql);
  }
  return sql;
}
