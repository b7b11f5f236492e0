import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { connectionOf } from './connection.js';

export enum HistorySubjectKind {
  PUBLISHER = 'PUBLISHER',
  OFFER = 'OFFER',
}
registerEnumType(HistorySubjectKind, {
  name: 'HistorySubjectKind',
  description: 'What a history is about.',
  valuesConfig: {
    PUBLISHER: { description: 'A publisher (its stream `publisher-<id>`).' },
    OFFER: { description: 'An offer (its stream `offer-<id>`), deleted ones included.' },
  },
});

export enum ExportFormat {
  JSONL = 'JSONL',
  CSV = 'CSV',
}
registerEnumType(ExportFormat, {
  name: 'ExportFormat',
  description: 'The document format of a history export.',
  valuesConfig: {
    JSONL: { description: 'One JSON object per change, one per line; erased values as {"$erased":true}.' },
    CSV: {
      description:
        'RFC 4180 CSV, one row per changed field; erased values as an empty cell flagged in `*_erased`; a cell a spreadsheet would run as a formula (`=`, `@`, or `+`/`-` followed by more than a number) starts with an apostrophe.',
    },
  },
});

@ObjectType('HistoryActor', { simpleResolvers: true, description: 'Who caused a change.' })
export class HistoryActorType {
  @Field(() => String, {
    description:
      "A person's pseudonymous reference (`actor-<uuid>`; an AAD object id in changes recorded before references), or a service identity. `auditTrail` shows who a reference is.",
  })
  id!: string;

  @Field(() => String, { description: 'user, service or system.' })
  kind!: string;

  @Field(() => String, { nullable: true, description: 'The role it acted in, when known.' })
  role!: string | null;

  @Field(() => Boolean, { description: 'Whether the person was erased: their reference names nobody any more.' })
  erased!: boolean;
}

@ObjectType('FieldChange', {
  simpleResolvers: true,
  description:
    'One field a change touched, with its value before and after. Personal values are shown to auditors; a value whose data key was destroyed (erased) is never shown: it reads as null with its `*Erased` flag true.',
})
export class FieldChangeType {
  @Field(() => String, {
    description:
      'Dotted path in the record, e.g. `contact.email`, `aadUsers.<accountId>.displayName`, `supportContacts.0.qq`.',
  })
  field!: string;

  @Field(() => String, { nullable: true, description: 'The value before (as text); null when absent or erased.' })
  before!: string | null;

  @Field(() => String, { nullable: true, description: 'The value after (as text); null when absent or erased.' })
  after!: string | null;

  @Field(() => Boolean, { description: 'Whether the value before was erased.' })
  beforeErased!: boolean;

  @Field(() => Boolean, { description: 'Whether the value after was erased.' })
  afterErased!: boolean;
}

@ObjectType('HistoryEntry', { simpleResolvers: true, description: 'One recorded change of a publisher or an offer.' })
export class HistoryEntryType {
  @Field(() => HistorySubjectKind, { description: 'What the change is about.' })
  subjectKind!: `${HistorySubjectKind}`;

  @Field(() => String, { description: 'The publisher or offer id.' })
  subjectId!: string;

  @Field(() => Int, { description: "The change's 0-based index in the subject's stream." })
  revision!: number;

  @Field(() => String, { description: 'Global log position of the change.' })
  position!: string;

  @Field(() => String, { description: 'The event type, e.g. ContactUpdated.' })
  eventType!: string;

  @Field(() => Int, {
    description: 'The schema version the event is shown in (older events are upcast to the current one).',
  })
  schemaVersion!: number;

  @Field(() => String, { description: 'When it happened (ISO-8601).' })
  occurredAt!: string;

  @Field(() => HistoryActorType, { description: 'Who caused it.' })
  actor!: HistoryActorType;

  @Field(() => [FieldChangeType], {
    description: 'The fields it changed, before and after; empty when it changed none.',
  })
  changes!: FieldChangeType[];
}

export const HistoryEntryConnection = connectionOf(HistoryEntryType, 'HistoryEntry');
