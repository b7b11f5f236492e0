import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ledgerEventTypes } from '../events/ledger-events.js';
import type { LedgerEventType } from '../events/domain-events.js';
import { uncountedConnectionOf } from './connection.js';

/** The ledger's event types, from the one list of them (src/events/ledger-events.ts): a misspelt type is refused, not matched by nothing. */
export const EventType = Object.fromEntries(ledgerEventTypes.map((type) => [type, type])) as {
  readonly [T in LedgerEventType]: T;
};

registerEnumType(EventType, { name: 'EventType', description: 'A type of event the ledger records.' });

export enum ActorKind {
  USER = 'USER',
  SERVICE = 'SERVICE',
  SYSTEM = 'SYSTEM',
}

registerEnumType(ActorKind, {
  name: 'ActorKind',
  description: 'What kind of actor caused an event.',
  valuesConfig: {
    USER: { description: 'A person, recorded by a pseudonymous reference.' },
    SERVICE: { description: 'A service identity.' },
    SYSTEM: { description: 'The ledger itself (migrations, maintenance).' },
  },
});

@ObjectType('AuditActor', { simpleResolvers: true, description: 'Who caused an event.' })
export class AuditActorType {
  @Field(() => String, {
    description:
      "A publisher member's account id at the publisher (`AadUser.accountId`), another person's pseudonymous reference (`actor-<uuid>`; an Azure AD object id in events recorded before references), or a service identity.",
  })
  id!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The Azure AD object id of a person or service; null for the system, and for a person once erased.',
  })
  objectId!: string | null;

  @Field(() => Boolean, { description: 'Whether the person was erased: their reference names nobody any more.' })
  erased!: boolean;

  @Field(() => ActorKind, { description: 'User, service or system.' })
  kind!: `${ActorKind}`;

  @Field(() => String, { nullable: true, description: 'The role it acted in, when known.' })
  role!: string | null;
}

@ObjectType('AuditEntry', {
  simpleResolvers: true,
  description:
    'One event of the log as the audit trail shows it: what, where, when, who, and which fields; never values.',
})
export class AuditEntryType {
  @Field(() => ID, { description: 'The event id (UUID v7).' })
  id!: string;

  @Field(() => EventType, { description: 'The event type, e.g. `ContactUpdated`.' })
  type!: LedgerEventType;

  @Field(() => String, { description: 'The stream, e.g. `publisher-<id>`.' })
  streamId!: string;

  @Field(() => Int, { description: 'The revision (0-based) of the event in its stream.' })
  revision!: number;

  @Field(() => String, { description: 'The global log position.' })
  position!: string;

  @Field(() => String, { description: 'When it happened (ISO-8601).' })
  occurredAt!: string;

  @Field(() => AuditActorType, { description: 'Who caused it.' })
  actor!: AuditActorType;

  @Field(() => ID, { nullable: true, description: 'The publisher it concerns.' })
  publisherId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The offer it concerns, if any.' })
  offerId!: string | null;

  @Field(() => [String], {
    description:
      'Dotted names of the fields it set, as `history` names them (`contact.email`, `aadUsers.<accountId>.displayName`, `supportContacts.0.qq`), without values.',
  })
  changedFields!: string[];
}

export const AuditEntryConnection = uncountedConnectionOf(AuditEntryType, 'AuditEntry');

@InputType('AuditTrailFilter', { description: 'Which audit entries to list; every given condition must hold.' })
export class AuditTrailFilterInput {
  @Field(() => String, { nullable: true, description: 'Entries at or after this instant (ISO-8601 with a time zone).' })
  from?: string | null;

  @Field(() => String, { nullable: true, description: 'Entries before this instant (ISO-8601 with a time zone).' })
  to?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Entries caused by this actor: a person's object id (their accounts while not erased, and their reference), an account id, a reference, or a service identity.",
  })
  actorId?: string | null;

  @Field(() => [EventType], { nullable: true, description: 'Entries of these event types (1 to 20).' })
  eventTypes?: LedgerEventType[] | null;

  @Field(() => ID, { nullable: true, description: 'Entries about this publisher or its offers.' })
  publisherId?: string | null;
}
