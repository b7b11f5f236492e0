import { ValidationError } from '../errors.js';
import type { Page } from '../projections/store/read-store.js';
import type { ConnectionShape, PageArgs, PageShape } from '../schema/connection.js';
import { MAX_PAGE_SIZE } from '../schema/page-size.js';

/** The page size a list query asked for, within the API's limit. */
export function pageSize(args: PageArgs): number {
  if (!Number.isInteger(args.first) || args.first < 1 || args.first > MAX_PAGE_SIZE) {
    throw new ValidationError('first', `must be from 1 to ${MAX_PAGE_SIZE}`);
  }
  return args.first;
}

/** A read-store page as a Relay connection without a count. */
export function toPage<T>(page: Page<T>): PageShape<T> {
  return {
    edges: page.items.map((node, i) => ({ node, cursor: page.cursors[i]! })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
  };
}

/** A counted read-store page as a Relay connection. */
export function toConnection<T>(page: Page<T> & { totalCount: number }): ConnectionShape<T> {
  return { ...toPage(page), totalCount: page.totalCount };
}
