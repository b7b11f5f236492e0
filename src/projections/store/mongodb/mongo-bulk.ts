import type { AnyBulkWriteOperation, Document } from 'mongodb';
import { checkFieldPath } from '../query-terms.js';
import type { Doc, WriteOp } from '../read-store.js';

/** A read-model document as stored: the document with its id as `_id` too (reads leave `_id` out). */
export type StoredDoc = Document & { _id: string };

export interface BulkGroup {
  collection: string;
  ops: AnyBulkWriteOperation<StoredDoc>[];
  /** always: see bulkGroups */
  ordered: true;
}

/**
 * The operations as one ordered bulkWrite per collection, each holding that
 * collection's operations in the order given. Ordered, because an unordered
 * bulkWrite runs all updates before all deletes: a batch that deletes A and
 * upserts B with A's unique value would then fail on every retry, where
 * SQLite applies it in turn. Collections apart, no write can see another
 * (unique indexes are per collection, and the batch is one transaction), so
 * grouping by collection changes nothing but the number of round trips.
 */
export function bulkGroups(ops: readonly WriteOp[], storedName: (collection: string) => string): BulkGroup[] {
  const groups = new Map<string, BulkGroup>();
  for (const op of ops) {
    const collection = storedName(op.collection);
    const bulk = bulkOp(op);
    if (bulk === null) continue;
    let group = groups.get(collection);
    if (!group) groups.set(collection, (group = { collection, ops: [], ordered: true }));
    group.ops.push(bulk);
  }
  return [...groups.values()];
}

/** The operation as a bulkWrite model; null for a patch that sets nothing. */
function bulkOp(op: WriteOp): AnyBulkWriteOperation<StoredDoc> | null {
  switch (op.kind) {
    case 'upsert': {
      const doc: unknown = op.doc;
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || typeof (doc as Doc).id !== 'string') {
        throw new Error(`upsert into "${op.collection}": the document must be an object with a string id`);
      }
      return { replaceOne: { filter: { _id: op.doc.id }, replacement: { ...op.doc, _id: op.doc.id }, upsert: true } };
    }
    case 'patch': {
      // undefined removes the field, as an upsert (JSON, ignoreUndefined) leaves it out: it
      // must not become a null, which a unique index would see and SQLite would not.
      const set: Document = {};
      const unset: Document = {};
      for (const [field, value] of Object.entries(op.set)) {
        checkFieldPath(field);
        if (field === 'id' || field.startsWith('id.'))
          throw new Error(`patch of "${op.collection}": the id cannot change`);
        if (value === undefined) unset[field] = '';
        else set[field] = value;
      }
      const update: Document = {
        ...(Object.keys(set).length > 0 ? { $set: set } : {}),
        ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}),
      };
      return Object.keys(update).length === 0 ? null : { updateOne: { filter: { _id: op.id }, update } };
    }
    case 'delete':
      return { deleteOne: { filter: { _id: op.id } } };
    default:
      throw new Error(`unknown write operation "${String((op as { kind: unknown }).kind)}"`);
  }
}
