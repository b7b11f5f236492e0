import {
  actorObjectIdField,
  declaredField,
  declaredFields,
  personalFieldsOf,
  requesterField,
} from '../privacy/classification.js';
import type { PersonalField } from '../privacy/personal-field.js';

/**
 * Which GraphQL fields carry personal data, each tied to the one
 * declaration (src/privacy/classification.ts) and derived from it where the
 * GraphQL type mirrors a declared record. test/schema/personal-fields.e2e.test.ts
 * fails when a field shows a personal value and is not listed here, and when
 * a listed field is not in the schema.
 *
 * - `value`: the field shows the declared value itself (null once erased);
 * - `masked`: it shows the value masked as the field declares (analysts);
 * - `any`: it may show the value of any declared field (histories, exports).
 */
export type PersonalFieldUse =
  | { shows: 'value'; field: PersonalField }
  | { shows: 'masked'; field: PersonalField }
  | { shows: 'any'; fields: readonly PersonalField[] };

/** `Type.name` for each declared field of an event type under `prefix`, by its remaining name. */
function mirror(
  typeName: string,
  eventType: string,
  prefix: string,
  shows: 'value' | 'masked',
): Array<[string, PersonalFieldUse]> {
  return personalFieldsOf(eventType)
    .filter((field) => field.path.startsWith(prefix))
    .map((field) => [`${typeName}.${field.path.slice(prefix.length)}`, { shows, field }]);
}

const requester: PersonalFieldUse = { shows: 'value', field: requesterField };
const anyDeclared: PersonalFieldUse = { shows: 'any', fields: declaredFields };

export const graphqlPersonalFields: Readonly<Record<string, PersonalFieldUse>> = Object.fromEntries([
  ...mirror('ContactDetails', 'PublisherRegistered', 'contact.', 'value'),
  ...mirror('AadUser', 'AadUserAdded', 'user.', 'value'),
  ...mirror('SupportContact', 'OfferCustomerServiceUpdated', 'supportContacts.*.', 'value'),
  ...mirror('MaskedContact', 'PublisherRegistered', 'contact.', 'masked'),
  ...mirror('MaskedAadUser', 'AadUserAdded', 'user.', 'masked'),
  ...mirror('MaskedSupportContact', 'OfferCustomerServiceUpdated', 'supportContacts.*.', 'masked'),
  ...mirror('DisclosureRecipient', 'DisclosureRecorded', 'recipient.', 'value'),
  ['ContactListEntry.contactName', { shows: 'value', field: declaredField('contact person name') }],
  // the email or the telephone, by the list's channel
  [
    'ContactListEntry.value',
    { shows: 'any', fields: [declaredField('contact person email'), declaredField('contact person telephone')] },
  ],
  ['AadUser.addedBy', requester],
  ['Disclosure.recordedBy', requester],
  ['PrivacyRequestRecord.requestedBy', requester],
  ['HistoryActor.id', requester],
  // staff members by their actor reference, as every actor is recorded
  ['AccessGrant.grantee', requester],
  ['AccessGrant.approvedBy', requester],
  ['AccessGrant.revokedBy', requester],
  ['AuditActor.objectId', { shows: 'value', field: actorObjectIdField }],
  ['FieldChange.before', anyDeclared],
  ['FieldChange.after', anyDeclared],
  ['Query.exportHistory', anyDeclared],
  ['Query.exportPersonalData', anyDeclared],
]);
