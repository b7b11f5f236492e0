/**
 * The largest page a list query returns. Part of the API contract (the
 * schema states it), so a constant rather than a per-deployment setting;
 * the query cost limit charges a connection `first` times its selection.
 * Kept apart from the decorated types so the server's limits can use it
 * without loading type-graphql.
 */
export const MAX_PAGE_SIZE = 100;
