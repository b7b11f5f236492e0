import type { Doc, FindQuery, Page, ReadStore } from './read-store.js';

/**
 * A page of a collection with the number of documents its filter matches.
 * A first page with no page after it holds every match, so it counts itself
 * from the same read (a portal's list usually fits one page); any other page
 * asks the store to count.
 */
export async function countedPage<T extends Doc>(
  store: ReadStore,
  collection: string,
  query: FindQuery,
): Promise<Page<T> & { totalCount: number }> {
  const page = await store.find<T>(collection, query);
  const wholeList = query.after == null && !page.hasNextPage;
  return { ...page, totalCount: wholeList ? page.items.length : await store.count(collection, query.filter ?? {}) };
}
