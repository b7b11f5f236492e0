import { decodeCursor } from '../cursor.js';
import type { Filter, FindQuery, SortKey } from '../read-store.js';
import { effectiveSort } from '../query-terms.js';
import { afterSegments, filterSql, orderBy, sqlKeys, type Columns } from './sql-filter.js';

/** One statement's SQL and its parameters. */
export interface Query {
  sql: string;
  params: unknown[];
}

/** A collection's table as a query needs it: its name, the fields it stores in columns, its key (./sqlite-table-key.ts). */
export interface QueriedTable {
  table: string;
  columns: Columns;
  key: string | undefined;
}

/**
 * The statements that answer a find, in result order, each taking a LIMIT
 * as last parameter; each selects a row's id, then its sort values as
 * SQLite compares them (what its cursor repeats).
 */
export function findQueries(
  { table, columns, key }: QueriedTable,
  query: FindQuery,
): { sort: SortKey[]; queries: Query[] } {
  const filter = filterSql(query.filter ?? {}, columns);
  const sort = effectiveSort(query.sort ?? [], filter.constant);
  const keys = sqlKeys(sort, columns);
  const select = `SELECT id, ${keys.map((k) => k.expr).join(', ')} FROM ${table}`;
  const segments =
    query.after == null
      ? [{ terms: [], params: [], orderFrom: 0 }]
      : afterSegments(keys, decodeCursor(query.after, sort), key);
  const queries = segments.map((segment) => {
    const terms = [...filter.terms, ...segment.terms];
    const where = terms.length ? ` WHERE ${terms.join(' AND ')}` : '';
    return {
      sql: `${select}${where}${orderBy(keys.slice(segment.orderFrom))} LIMIT ?`,
      params: [...filter.params, ...segment.params],
    };
  });
  return { sort, queries };
}

/** The statement that counts the documents a filter matches. */
export function countQuery({ table, columns }: Omit<QueriedTable, 'key'>, filter: Filter): Query {
  const { terms, params } = filterSql(filter, columns);
  return { sql: `SELECT COUNT(*) FROM ${table}${terms.length ? ` WHERE ${terms.join(' AND ')}` : ''}`, params };
}
