import type { RecordedEvent } from '../events/event-envelope.js';
import type { CollectionSpec, Projection } from './projection.js';
import type { Doc, WriteOp } from './read-store.js';

/** Every projected document remembers the log position of the last event folded into it. */
export type ProjectedDoc = Doc & { _position: number };

export interface DocumentProjectionSpec<D extends ProjectedDoc> {
  name: string;
  collection: CollectionSpec;
  /** the document an event changes, or null when the event does not concern this projection */
  documentId(event: RecordedEvent): string | null;
  /** pure: the document after the event; null deletes it; the very document it was given: unchanged, nothing is written */
  evolve(doc: D | null, event: RecordedEvent): Omit<D, '_position'> | null;
}

/**
 * A projection that keeps one document per entity. A batch costs one
 * `getMany` and one write per touched document, however many events it
 * holds; an event at or below a document's `_position` is skipped, so
 * replaying events changes nothing.
 */
export function documentProjection<D extends ProjectedDoc>(spec: DocumentProjectionSpec<D>): Projection {
  const collection = spec.collection.name;
  return {
    name: spec.name,
    collections: [spec.collection],
    async project(events, store) {
      const targets = events.map((event) => spec.documentId(event));
      const ids = [...new Set(targets.filter((id): id is string => id !== null))];
      if (ids.length === 0) return [];
      const current = await store.getMany<D>(collection, ids);
      const docs = new Map<string, D | null>(ids.map((id, i) => [id, current[i] ?? null]));
      const touched = new Set<string>();
      events.forEach((event, i) => {
        const id = targets[i];
        if (id == null) return;
        const doc = docs.get(id) ?? null;
        if (doc && doc._position >= event.position) return;
        const next = spec.evolve(doc, event);
        if (next === doc) return; // the event does not change it: nothing to write
        docs.set(id, next ? ({ ...next, _position: event.position } as D) : null);
        touched.add(id);
      });
      return [...touched].map((id): WriteOp => {
        const doc = docs.get(id);
        return doc ? { kind: 'upsert', collection, doc } : { kind: 'delete', collection, id };
      });
    },
  };
}
