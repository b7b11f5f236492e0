import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { connectionOf } from './connection.js';

export enum PrivacyRequestKind {
  VIEW = 'VIEW',
  EXPORT = 'EXPORT',
  EDIT = 'EDIT',
  DELETION = 'DELETION',
  ERASURE = 'ERASURE',
  USE = 'USE',
}

registerEnumType(PrivacyRequestKind, {
  name: 'PrivacyRequestKind',
  description: 'What was asked of the personal data.',
  valuesConfig: {
    VIEW: { description: 'Personal data was viewed.' },
    EXPORT: { description: 'Personal data was exported.' },
    EDIT: { description: 'Personal data was added or changed.' },
    DELETION: { description: 'Personal data was deleted.' },
    ERASURE: { description: 'A person was erased.' },
    USE: { description: "The contact was put on an operator's contact list (target: the value handed out)." },
  },
});

@ObjectType('PrivacyRequestRecord', {
  simpleResolvers: true,
  description: "A request made on a publisher's personal data, recorded by the operation itself.",
})
export class PrivacyRequestRecordType {
  @Field(() => ID, { description: 'The record id (the id of the event that carried out the request).' })
  id!: string;

  @Field(() => PrivacyRequestKind, { description: 'What was asked.' })
  kind!: `${PrivacyRequestKind}`;

  @Field(() => String, { description: 'Which personal data it concerned, e.g. `contact` or `aadUsers`.' })
  target!: string;

  @Field(() => String, {
    nullable: true,
    description:
      "Who asked (an actor id: a person's pseudonymous reference, or a service identity): kept for the retention period only (RETENTION_DAYS), then null with `requestedByErased` true.",
  })
  requestedBy!: string | null;

  @Field(() => Boolean, { description: 'Whether who asked is no longer readable: its retention period is over.' })
  requestedByErased!: boolean;

  @Field(() => String, { description: 'When (ISO-8601).' })
  requestedAt!: string;

  @Field(() => String, { description: 'What came of it: COMPLETED.' })
  outcome!: string;

  @Field(() => ID, {
    nullable: true,
    description:
      "A staff member's view under an access grant: the grant (see `accessGrants`); null for any other request.",
  })
  accessGrantId!: string | null;

  @Field(() => Boolean, { description: 'Whether that grant was an emergency (break-glass) access.' })
  emergencyAccess!: boolean;
}

export const PrivacyRequestConnection = connectionOf(PrivacyRequestRecordType, 'PrivacyRequestRecord');

@ObjectType('DeletedPrivacyRequestRecord', {
  simpleResolvers: true,
  description: 'The result of deleting a privacy request record.',
})
export class DeletedPrivacyRequestRecord {
  @Field(() => ID, { description: 'The deleted record.' })
  id!: string;

  @Field(() => String, { description: 'The log position the deletion reached (for `minPosition`).' })
  position!: string;
}
