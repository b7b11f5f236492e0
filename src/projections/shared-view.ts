import { deepFreeze } from '../deep-freeze.js';

/**
 * Wraps a document-to-view mapping so that a shared, read-only (frozen)
 * document is mapped once: the read store and the codec hand out the same
 * frozen objects for as long as nothing changed, so the same view serves
 * every request until then. Other inputs are mapped every time.
 */
export function sharedView<D extends object, V>(toView: (doc: D) => V): (doc: D) => V {
  const views = new WeakMap<D, V>();
  return (doc) => {
    if (!Object.isFrozen(doc)) return toView(doc);
    let view = views.get(doc);
    if (view === undefined) views.set(doc, (view = deepFreeze(toView(doc))));
    return view;
  };
}
