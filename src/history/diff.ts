import type { PersonalDataCodec } from '../privacy/personal-data-codec.js';
import { isErased, isPersonalValue, type ErasedValue, type PersonalValue } from '../privacy/personal-value.js';

/** A recorded field's value as an auditor sees it: absent (null), a value, or ERASED once its key is gone. */
export type ShownValue = string | number | boolean | null | ErasedValue;

/** One field that an event changed, with its value before and after. */
export interface FieldChange {
  /** dotted path in the record, e.g. `contact.email`, `aadUsers.<accountId>.displayName`, `supportContacts.0.qq` */
  field: string;
  before: ShownValue;
  after: ShownValue;
}

/** A state's recorded fields by dotted path; leaves are scalars or sealed values. */
export type FlatState = Map<string, unknown>;

/**
 * Flattens a (sealed) record into its leaves, by dotted path: the one
 * naming of a record's fields, for `history` and for the audit trail's
 * `changedFields` (src/history/changed-fields.ts). Arrays of objects that
 * carry an `accountId` are keyed by it, so removing one account shows as
 * that account's fields going, not as every later account shifting; other
 * arrays are keyed by index. No record (null): no fields.
 */
export function flattenRecord(record: object | null): FlatState {
  const out: FlatState = new Map();
  if (record) flattenInto(out, record, '');
  return out;
}

/** flattenRecord's walk, a function of its own rather than a closure made per call (the audit rebuild calls it per event). */
function flattenInto(out: FlatState, value: unknown, path: string): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || isPersonalValue(value) || isErased(value)) {
    out.set(path, value);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const id = (item as Record<string, unknown> | null)?.['accountId'];
      flattenInto(out, item, `${path}.${typeof id === 'string' ? id : i}`);
    });
    return;
  }
  for (const [key, item] of Object.entries(value)) flattenInto(out, item, path === '' ? key : `${path}.${key}`);
}

/**
 * Opens the sealed leaves of several flattened states with one key lookup:
 * each path maps to what an auditor may see (ERASED where the key is gone).
 */
export async function openFlatStates(
  states: readonly FlatState[],
  personalData: PersonalDataCodec,
): Promise<Map<string, ShownValue>[]> {
  const opened = await personalData.openMany(states.map((state) => [...state.values()]));
  return states.map((state, i) => {
    const values = opened[i]!;
    return new Map([...state.keys()].map((path, j) => [path, shown(values[j])]));
  });
}

function shown(value: unknown): ShownValue {
  if (value === undefined || value === null) return null;
  if (isErased(value)) return value;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/**
 * The fields that differ between two states. A field changed when its stored
 * form changed (so a change stays visible after its values were erased) and
 * its opened value changed (so a list re-sealed with the same values is no
 * change). Paths in state order, new paths last.
 */
export function changesBetween(
  sealed: { before: FlatState; after: FlatState },
  opened: { before: Map<string, ShownValue>; after: Map<string, ShownValue> },
): FieldChange[] {
  const paths = new Set([...sealed.before.keys(), ...sealed.after.keys()]);
  const changes: FieldChange[] = [];
  for (const field of paths) {
    if (sameStored(sealed.before.get(field), sealed.after.get(field))) continue;
    const before = opened.before.get(field) ?? null;
    const after = opened.after.get(field) ?? null;
    if (!isErased(before) && !isErased(after) && before === after) continue;
    changes.push({ field, before, after });
  }
  return changes;
}

function sameStored(a: unknown, b: unknown): boolean {
  if (isPersonalValue(a) && isPersonalValue(b)) return samePersonalValue(a, b);
  return a === b;
}

function samePersonalValue(a: PersonalValue, b: PersonalValue): boolean {
  return a.c === b.c && a.k === b.k && a.s === b.s;
}
