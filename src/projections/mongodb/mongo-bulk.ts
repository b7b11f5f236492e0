import type { AnyBulkWriteOperation, Document } from 'mongodb';
import { checkFieldPath } from '../query-terms.js';
import type { Doc, WriteOp } from '../read-store.js';

/** A read-model document as stored: the document with its id as `_id` too (reads leave `_id` out). */
export type StoredDoc = Document & { _id: string };

export interface BulkGroup {
  collection: string;
  ops: AnyBulkWriteOperation<StoredDoc>[];
  /** false when no document is touched twice: the server may then apply the group in any order */
  ordered: boolean;
}

/**
 * The operations as few bulkWrite calls as their order allows. When no
 * document is touched twice (a document projection's batch: one write per
 * touched document), order cannot matter: one unordered bulkWrite per
 * collection. Otherwise one ordered bulkWrite per run of consecutive
 * operations on the same collection, so every operation applies in turn.
 */
export function bulkGroups(ops: readonly WriteOp[], storedName: (collection: string) => string): BulkGroup[] {
  const named = ops.map((op) => {
    const collection = storedName(op.collection);
    const bulk = bulkOp(op);
    return { collection, id: op.kind === 'upsert' ? op.doc.id : op.id, bulk };
  });
  const touched = new Set(named.map(({ collection, id }) => `${collection}\0${String(id)}`));
  const ordered = touched.size < named.length;
  const groups: BulkGroup[] = [];
  for (const { collection, bulk } of named) {
    if (bulk === null) continue;
    let group = ordered ? groups.at(-1) : groups.find((g) => g.collection === collection);
    if (group?.collection !== collection) groups.push((group = { collection, ops: [], ordered }));
    group.ops.push(bulk);
  }
  return groups;
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
      const set: Document = {};
      for (const [field, value] of Object.entries(op.set)) {
        checkFieldPath(field);
        if (field === 'id' || field.startsWith('id.')) throw new Error(`patch of "${op.collection}": the id cannot change`);
        set[field] = value ?? null;
      }
      return Object.keys(set).length === 0 ? null : { updateOne: { filter: { _id: op.id }, update: { $set: set } } };
    }
    case 'delete':
      return { deleteOne: { filter: { _id: op.id } } };
    default:
      throw new Error(`unknown write operation "${String((op as { kind: unknown }).kind)}"`);
  }
}
