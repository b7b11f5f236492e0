import type { Document, Sort } from 'mongodb';
import { assertNever } from '../../../assert-never.js';
import { checkFieldPath, filterTerms, type Term } from '../query-terms.js';
import type { Doc, Filter, Scalar, SortKey } from '../read-store.js';

/**
 * Filters, sorts and cursors as MongoDB queries over documents stored as
 * `{ ...doc, _id: doc.id }`. Field paths are checked (../query-terms.ts)
 * before they become keys of a query, so no `$` operator or empty path
 * segment can come from a caller; every value is a value of the query.
 *
 * MongoDB already gives the port's semantics: `{ f: null }` matches a null
 * or missing field, `$ne` and `$in: [.., null]` match missing fields too,
 * range operators are type-bracketed (a numeric bound never matches text),
 * and the sort order puts null and missing first ascending, then numbers,
 * then strings, as SQLite does. Two differences remain: a condition on a
 * field that holds an array matches any element (read models do not filter
 * on arrays), and booleans sort after strings here but as 0 and 1 among the
 * numbers in SQLite, so a field mixing booleans with numbers or strings is
 * ordered differently by the two (each still pages through every document
 * once: see afterSlices). A field of booleans alone sorts alike on both.
 */
export const mongoPath = (field: string): string => {
  checkFieldPath(field);
  return field === 'id' ? '_id' : field;
};

function termQuery(term: Term): Document {
  const path = mongoPath(term.field);
  switch (term.op) {
    case 'eq':
      return { [path]: { $eq: term.value } };
    case 'ne':
      return { [path]: { $ne: term.value } };
    case 'in':
      return { [path]: { $in: term.withNull ? [...term.values, null] : term.values } };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return { [path]: { [`$${term.op}`]: term.value } };
    default:
      return assertNever(term);
  }
}

export interface MongoFilter {
  query: Document;
  /** fields the filter pins to a single value (eq) */
  terms: Term[];
}

export function mongoFilter(filter: Filter): MongoFilter {
  const terms = filterTerms(filter);
  return { query: terms.length === 0 ? {} : { $and: terms.map(termQuery) }, terms };
}

export const mongoSort = (sort: readonly SortKey[]): Sort =>
  sort.map((key): [string, 1 | -1] => [mongoPath(key.field), key.direction === 'desc' ? -1 : 1]);

/** The value a sort key sees in a stored document: missing is null, and so is anything that is not a scalar. */
export function sortValue(doc: Doc, field: string): Scalar {
  let value: unknown = doc;
  for (const part of field.split('.'))
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : null;
}

/** MongoDB's order of the scalar types: null (and missing) < numbers < strings < booleans. */
const TYPE_ORDER = ['null', 'number', 'string', 'bool'] as const;
type TypeName = (typeof TYPE_ORDER)[number];
const typeOf = (v: Scalar): TypeName =>
  v === null ? 'null' : typeof v === 'number' ? 'number' : typeof v === 'string' ? 'string' : 'bool';
const ofType = (type: TypeName): Document => (type === 'null' ? { $eq: null } : { $type: type });

/**
 * The documents strictly after a cursor, as consecutive slices in sort
 * order, each one query: for keys k0..kn with cursor values v0..vn, deepest
 * first, (k0..kn-1 = v, kn after vn), then (k0..kn-2 = v, kn-1 after vn-1),
 * ... then (k0 after v0). "After" follows MongoDB's order of types, null <
 * numbers < strings < booleans: ascending, after a value come the greater
 * values of its type, then every value of each later type; descending, the
 * lesser values of its type, then each earlier type down to the nulls.
 * Range operators are type-bracketed, hence a slice per type (leaving a type
 * out would skip its documents on a field that mixes types). Running slices
 * one by one (as the SQLite adapter does) lets each be answered by an index
 * in order, with a limit.
 */
export function afterSlices(sort: readonly SortKey[], values: readonly Scalar[]): Document[] {
  const slices: Document[] = [];
  for (let i = sort.length - 1; i >= 0; i--) {
    const prefix: Document = {};
    for (let j = 0; j < i; j++) prefix[mongoPath(sort[j]!.field)] = { $eq: values[j] ?? null };
    const { field, direction } = sort[i]!;
    const path = mongoPath(field);
    const v = values[i] ?? null;
    const slice = (condition: Document) => slices.push({ ...prefix, [path]: condition });
    const rank = TYPE_ORDER.indexOf(typeOf(v));
    if (direction !== 'desc') {
      if (v === null) slice({ $ne: null });
      else {
        slice({ $gt: v });
        for (const later of TYPE_ORDER.slice(rank + 1)) slice(ofType(later));
      }
    } else if (v !== null) {
      slice({ $lt: v });
      for (const earlier of TYPE_ORDER.slice(0, rank).reverse())
        if (earlier !== 'null' || field !== 'id') slice(ofType(earlier));
    }
  }
  return slices;
}
