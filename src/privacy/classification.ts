import type { SealField } from './document-paths.js';
import type { PersonalField } from './personal-field.js';
import { aadAccountSubject, actorSubject, clientSubject, retentionSubject } from './data-subjects.js';
import { personalFieldsByEventType } from './event-data-fields.js';

/**
 * The one declaration of personal data. Every personal value that an event
 * carries is listed with its data category and its data subject: here for
 * every event's metadata, in ./event-data-fields.ts for each type's data,
 * under the subjects of ./data-subjects.ts; encryption (src/events/store/event-codec.ts) reads it, and so will masking,
 * export and erasure. A value not declared here is stored in clear.
 *
 * Categories (./data-category.ts) follow the marketplace's privacy
 * statement: administrator data (the publisher's contact person and
 * accounts) and customer data; and third-party data: people outside the
 * publisher whom its records name (the recipient of a disclosure, who may
 * be a complainant in person).
 */
export type { DataCategory } from './data-category.js';

/**
 * Personal data in event metadata rather than data: who asked (the actor's
 * id: a user's pseudonymous reference, a service's identity; events written
 * before references hold a user's AAD object id), shown as the requester
 * of privacy request records, the author of changes and who added an
 * account. The privacy request read model seals it under a retention
 * bucket, so it becomes unreadable after the retention period. (In the
 * log's metadata it stays in clear: the audit trail filters by it; a
 * reference names nobody once its person is erased, actorObjectIdField.)
 * Client IP and user agent are declared below (personalMetadataFields).
 */
export const requesterField: PersonalField = {
  path: 'actor.id',
  category: 'administrator',
  label: 'requester (actor id)',
  mask: 'pseudonym',
  /** of a privacy request record: the month bucket of its `requestedAt` */
  subject: (record) => retentionSubject(String(record['requestedAt'])),
};

const fieldsByEventType: Readonly<Partial<Record<string, readonly PersonalField[]>>> = personalFieldsByEventType;

/**
 * A user actor's object id, in every event's metadata next to the actor's
 * pseudonymous id (`actor.id`): a member's under its account's subject
 * (`actor.publisherId`), which erasing the account destroys; anyone else's
 * under its person reference's own subject (src/privacy/actor-references.ts).
 * Labelled as a requester: it is who asked.
 */
export const actorObjectIdField: PersonalField = {
  path: 'actor.objectId',
  category: 'administrator',
  label: 'requester object id (of a user actor)',
  mask: 'pseudonym',
  subject: (metadata) => {
    const actor = metadata['actor'] as Record<string, unknown>;
    const publisherId = actor['publisherId'];
    return typeof publisherId === 'string'
      ? aadAccountSubject(publisherId, String(actor['id']))
      : actorSubject(String(actor['id']));
  },
};

const requestClient = (_metadata: Record<string, unknown>, occurredAt: string): string => clientSubject(occurredAt);

/**
 * Personal values in the metadata of every event, whatever its type (see
 * EventMetadata): a user actor's object id under its reference's subject;
 * the client under one subject per calendar month. The client's address and
 * user agent are one value, sealed once; events written before that carry
 * them as two (still declared: they are in the log, under the same subject).
 */
export const personalMetadataFields: readonly PersonalField[] = [
  actorObjectIdField,
  {
    path: 'client',
    category: 'administrator',
    label: 'client IP address and user agent of the request',
    mask: 'pseudonym',
    subject: requestClient,
  },
  {
    path: 'clientIp',
    category: 'administrator',
    label: 'client IP address of the request (events before the two were sealed together)',
    mask: 'pseudonym',
    subject: requestClient,
  },
  {
    path: 'userAgent',
    category: 'administrator',
    label: 'user agent of the request (events before the two were sealed together)',
    mask: 'pseudonym',
    subject: requestClient,
  },
];

/** Every declared field once: the event data's, then the metadata's. */
export const declaredFields: readonly PersonalField[] = [
  ...new Set([
    ...Object.values(fieldsByEventType).flatMap((fields) => fields ?? []),
    requesterField,
    ...personalMetadataFields,
  ]),
];

/** The declared field with this label (labels are unique); throws for an undeclared one. */
export function declaredField(label: string): PersonalField {
  const field = declaredFields.find((f) => f.label === label);
  if (!field) throw new Error(`No personal field is declared as '${label}'.`);
  return field;
}

export function personalFieldsOf(eventType: string): readonly PersonalField[] {
  return fieldsByEventType[eventType] ?? [];
}

/** What to seal in one event's data or metadata: each declared field at each of its concrete paths, with its subject. */
export function sealFieldsOf(
  fields: readonly PersonalField[],
  container: Record<string, unknown>,
  occurredAt: string,
): SealField[] {
  const sealed: SealField[] = [];
  // fields of one subject side by side (a document's contact fields, its client fields) share its id, made once
  let subjectOf: PersonalField['subject'] | undefined;
  let subjectId = '';
  for (const field of fields) {
    // A path without `*` is its own one concrete path (the sealing skips it if the value is absent).
    const paths = field.path.includes('*') ? concretePaths(container, field.path) : undefined;
    if (paths?.length === 0) continue;
    if (field.subject !== subjectOf) {
      subjectOf = field.subject;
      subjectId = field.subject(container, occurredAt);
    }
    if (!paths) sealed.push({ path: field.path, subjectId });
    else for (const path of paths) sealed.push({ path, subjectId });
  }
  return sealed;
}

/** The concrete paths of a declared field in one event's data (`*` expanded over arrays). */
export function concretePaths(data: unknown, path: string): string[] {
  const [head, ...rest] = path.split('.');
  if (head === undefined) return [];
  if (head === '*') {
    if (!Array.isArray(data)) return [];
    return data.flatMap((item, i) =>
      rest.length ? concretePaths(item, rest.join('.')).map((p) => `${i}.${p}`) : [String(i)],
    );
  }
  if (rest.length === 0) return [head];
  const next = data && typeof data === 'object' ? (data as Record<string, unknown>)[head] : undefined;
  return concretePaths(next, rest.join('.')).map((p) => `${head}.${p}`);
}
