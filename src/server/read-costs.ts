import { Kind } from 'graphql';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import { viewedFields } from '../resolvers/read-audit.js';

/**
 * What a read costs beyond 1 per field, for fields whose work is not their
 * selection: a whole history read or replayed. Numbers, in docs/operations.md (Hardening):
 * an export reads every stream of a publisher (its own, its offers', their
 * histories) and counts as 500 fields; a stream replayed to an instant
 * (`asOf`) or checked link by link (`verifyIntegrity`) as 100.
 */
export const EXPORT_COST = 500;
export const STREAM_READ_COST = 100;

const WHOLE_READS: Readonly<Record<string, number>> = {
  'Query.exportPersonalData': EXPORT_COST,
  'Query.exportHistory': EXPORT_COST,
  'Query.verifyIntegrity': STREAM_READ_COST,
};

/** Privacy request records one operation may append (an export, a view of one kind of personal data); more is refused before it runs. */
export const MAX_ACCESS_RECORDS = 20;

/**
 * Fields that read more than their selection: a fixed cost for exports and
 * integrity checks, and a stream replay on top of the field for `asOf`.
 * `asOf` is charged whenever the document gives it (a variable may be null):
 * the measure is cached per document and Int/Boolean variables only.
 */
export const readCostEstimator: ComplexityEstimator = ({ type, field, node, childComplexity }) => {
  const whole = WHOLE_READS[`${type.name}.${field.name}`];
  if (whole !== undefined) return whole + childComplexity;
  const asOf = node.arguments?.find((argument) => argument.name.value === 'asOf');
  if (asOf && asOf.value.kind !== Kind.NULL) return 1 + STREAM_READ_COST + childComplexity;
  return undefined;
};

/** Each export appends a record; each view of a kind of personal data (src/resolvers/read-audit.ts) may. */
const RECORDING_FIELDS = new Set(['Query.exportPersonalData', 'Query.exportHistory', ...Object.keys(viewedFields)]);

/**
 * Counts, for the records bound, the selections that may append a privacy
 * request record: every export, and every selection of a viewed field (a
 * page of one publisher's offers is one view; selections are counted, not
 * publishers, so aliases of one publisher count each).
 */
export const accessRecordEstimator: ComplexityEstimator = ({ type, field, childComplexity }) =>
  (RECORDING_FIELDS.has(`${type.name}.${field.name}`) ? 1 : 0) + childComplexity;
