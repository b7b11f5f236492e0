import type { DataCategory } from './data-category.js';

// The shape of one declared personal value, apart from the declaration itself (./classification.ts) so
// that the per-event lists (./event-data-fields.ts), which the declaration imports, need not import it back.

/**
 * How an analyst sees a value (src/privacy/masking.ts): an email by its
 * domain only, a telephone by its country calling code only, anything else
 * (names, ids, accounts) as a keyed pseudonym.
 */
export type Masking = 'email-domain' | 'telephone-country' | 'pseudonym';

export interface PersonalField<Path extends string = string> {
  /** dotted path inside the event's data; `*` stands for every element of an array */
  path: Path;
  category: DataCategory;
  /** what the value is, in words (used by exports and the declaration test) */
  label: string;
  /** what an analyst sees instead of the value */
  mask: Masking;
  /** the data subject the value belongs to, from the value's container (the event's data or metadata, or a record) and the event's instant */
  subject(container: Record<string, unknown>, occurredAt: string): string;
}
