import type { Checkpoint, Doc, Fence, ReadStore, WriteOp } from '../read-store.js';
import { columnValue } from './sqlite-columns.js';
import { compactBody } from './sqlite-table-key.js';

/**
 * Upserts turned into the rows an SQLite read store's tables hold, by a
 * thread other than the one that writes them (a rebuild's reading thread,
 * ../../runner/threaded-replay.ts): the JSON body and the column values
 * are made there, and the batch crosses between threads as one flat array
 * of strings and numbers, which copies far faster than the documents would.
 */

/** How a collection's table stores a document: the fields it keeps in columns, in the table's order, and its key. */
export interface RowLayout {
  columns: readonly string[];
  key: string | undefined;
}

/**
 * A batch of writes, flat: each upsert into `collections[i]` as `'u', i,
 * id, body, ...column values` (in its layout's order), any other write as
 * `'o', op`.
 */
export interface PreparedBatch {
  /** the collections the upserts go to, and the layout each was prepared for */
  collections: readonly string[];
  layouts: readonly RowLayout[];
  items: readonly unknown[];
}

/** What takes prepared batches: a store's `rowLoading` (SQLite's, see rowLoadingOf). */
export interface RowLoading {
  /** the layout of each collection's table as it is now */
  rowLayouts(collections: readonly string[]): RowLayout[];
  /** as ReadStore.write: in one transaction with the checkpoint, fenced by the lease */
  writePrepared(batch: PreparedBatch, checkpoint: Checkpoint, fence?: Fence): Promise<void>;
}

/** How `store` takes prepared batches, undefined when it does not. */
export const rowLoadingOf = (store: ReadStore): RowLoading | undefined =>
  (store as { rowLoading?: RowLoading }).rowLoading;

/** Appends to `row` the id, body and column values of an upsert's row; refuses what ./sqlite-writes.ts refuses. */
export function rowValues(
  collection: string,
  doc: Doc,
  layout: RowLayout,
  columns: ReadonlySet<string>,
  row: unknown[] = [],
): unknown[] {
  const value: unknown = doc;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof doc.id !== 'string') {
    throw new Error(`upsert into "${collection}": the document must be an object with a string id`);
  }
  const { key } = layout;
  row.push(doc.id, key === undefined ? JSON.stringify(doc) : compactBody(doc, columns));
  // the key is one of a keyed table's columns: its value is checked as it is taken
  let keyed = key === undefined;
  for (const field of layout.columns) {
    const value = columnValue(doc, field);
    if (field === key) keyed = typeof value === 'bigint';
    row.push(value);
  }
  if (!keyed && typeof columnValue(doc, key!) !== 'bigint')
    throw new Error(`upsert into "${collection}": the document's "${key}" must be an integer (the key)`);
  return row;
}

/** Prepares `ops` for the tables of `collections` laid out as `layouts` (PreparedBatch's items). */
export function prepareOps(
  ops: readonly WriteOp[],
  collections: readonly string[],
  layouts: readonly RowLayout[],
): unknown[] {
  const columns = layouts.map((layout) => new Set(layout.columns));
  const items: unknown[] = [];
  for (const op of ops) {
    const at = collections.indexOf(op.collection);
    if (op.kind !== 'upsert' || at < 0) items.push('o', op);
    else {
      items.push('u', at);
      rowValues(op.collection, op.doc, layouts[at]!, columns[at]!, items);
    }
  }
  return items;
}

/** Each write of a prepared batch, in order: an upsert's row (its collection's index, then id, body, column values) or an operation. */
export function* preparedWrites({ layouts, items }: PreparedBatch): Generator<[at: number, row: unknown[]] | WriteOp> {
  for (let i = 0; i < items.length;) {
    if (items[i] === 'o') {
      yield items[i + 1] as WriteOp;
      i += 2;
      continue;
    }
    const at = items[i + 1] as number;
    yield [at, items.slice(i + 2, (i += 4 + layouts[at]!.columns.length))];
  }
}

/** `batch` with its rows' collections and its other writes' collections renamed by `rename` (a staged model's). */
export function renamed(batch: PreparedBatch, rename: (collection: string) => string): PreparedBatch {
  const items = [...batch.items];
  for (let i = 0; i < items.length;) {
    if (items[i] === 'o') {
      const op = items[i + 1] as WriteOp;
      items[i + 1] = { ...op, collection: rename(op.collection) };
      i += 2;
    } else i += 4 + batch.layouts[items[i + 1] as number]!.columns.length;
  }
  return { ...batch, collections: batch.collections.map(rename), items };
}

export const sameLayout = (a: RowLayout, b: RowLayout): boolean =>
  a.key === b.key && a.columns.length === b.columns.length && a.columns.every((c, i) => c === b.columns[i]);
