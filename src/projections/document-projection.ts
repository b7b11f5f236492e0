import type { RecordedEvent } from '../events/store/event-envelope.js';
import { handledEvent, type Handles, type HandledEvent } from '../events/ledger-events.js';
import type { CollectionSpec, Projection } from './projection.js';
import type { Doc, WriteOp } from './store/read-store.js';

/** Every projected document remembers the log position of the last event folded into it. */
export type ProjectedDoc = Doc & { _position: number };

export interface DocumentFoldSpec<D extends ProjectedDoc, E extends Pick<RecordedEvent, 'position'>> {
  name: string;
  /** see Projection.shape */
  shape?: number;
  collection: CollectionSpec;
  /** the event as this projection reads it, or null when it leaves it alone */
  select(event: RecordedEvent): E | null;
  /** the document an event changes, or null when the event does not concern this projection */
  documentId(event: E): string | null;
  /** pure: the document after the event; null deletes it; the very document it was given: unchanged, nothing is written */
  evolve(doc: D | null, event: E): Omit<D, '_position'> | null;
}

/** A document projection over the ledger's typed events: `handles` says which it folds (see src/events/ledger-events.ts). */
export interface DocumentProjectionSpec<D extends ProjectedDoc, H extends Handles> extends Omit<
  DocumentFoldSpec<D, HandledEvent<H>>,
  'select'
> {
  handles: H;
}

export function documentProjection<D extends ProjectedDoc, H extends Handles>(
  spec: DocumentProjectionSpec<D, H>,
): Projection {
  return foldDocuments<D, HandledEvent<H>>({ ...spec, select: (event) => handledEvent(spec.handles, event) });
}

/**
 * A projection that keeps one document per entity. A batch costs one
 * `getMany` and one write per touched document, however many events it
 * holds; an event at or below a document's `_position` is skipped, so
 * replaying events changes nothing.
 */
export function foldDocuments<D extends ProjectedDoc, E extends Pick<RecordedEvent, 'position'>>(
  spec: DocumentFoldSpec<D, E>,
): Projection {
  const collection = spec.collection.name;
  return {
    name: spec.name,
    ...(spec.shape ? { shape: spec.shape } : {}),
    collections: [spec.collection],
    async project(recorded, store) {
      const events = recorded.map((event) => spec.select(event));
      const targets = events.map((event) => event && spec.documentId(event));
      const ids = [...new Set(targets.filter((id): id is string => id !== null))];
      if (ids.length === 0) return [];
      const current = await store.getMany<D>(collection, ids);
      const docs = new Map<string, D | null>(ids.map((id, i) => [id, current[i] ?? null]));
      const touched = new Set<string>();
      events.forEach((event, i) => {
        const id = targets[i];
        if (id == null || event === null) return;
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
