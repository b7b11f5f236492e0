import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { grantStatuses } from '../events/access-grant/access-grant.events.js';
import { connectionOf } from './connection.js';

export enum DataCategory {
  ADMINISTRATOR = 'ADMINISTRATOR',
  CUSTOMER = 'CUSTOMER',
  THIRD_PARTY = 'THIRD_PARTY',
}

registerEnumType(DataCategory, {
  name: 'DataCategory',
  description: 'A category of personal data, as the privacy statement and src/privacy/classification.ts name them.',
  valuesConfig: {
    ADMINISTRATOR: {
      description: "Administrator data: the publisher's contact person, its AAD accounts, who made a request.",
    },
    CUSTOMER: { description: "Customer data: offers' customer-service contacts." },
    THIRD_PARTY: {
      description: "Third-party data: people outside the publisher its records name (a disclosure's recipient).",
    },
  },
});

export enum AccessGrantStatus {
  AWAITING_APPROVAL = 'AWAITING_APPROVAL',
  SCHEDULED = 'SCHEDULED',
  ACTIVE = 'ACTIVE',
  EXPIRED = 'EXPIRED',
  REVOKED = 'REVOKED',
}

const statusDescriptions: Record<(typeof grantStatuses)[number], string> = {
  AWAITING_APPROVAL: 'Waits for a second operator (ACCESS_GRANT_APPROVAL).',
  SCHEDULED: 'Approved (or needing no approval), not started yet.',
  ACTIVE: 'Its grantee reads the personal values it covers.',
  EXPIRED: 'Past its end: its grantee reads masked values again.',
  REVOKED:
    'Ended by an operator (the issue is resolved), or by the erasure of an AAD account of its grantee (`revokedBy` is then `erasure`): its grantee reads masked values again.',
};

registerEnumType(AccessGrantStatus, {
  name: 'AccessGrantStatus',
  description: 'Where an access grant stands now.',
  valuesConfig: Object.fromEntries(
    Object.entries(statusDescriptions).map(([value, description]) => [value, { description }]),
  ),
});

@ObjectType('AccessGrantUse', {
  simpleResolvers: true,
  description: 'A read of personal values under a grant (one per reader, data and minute).',
})
export class AccessGrantUseType {
  @Field(() => String, { description: 'Which personal data was read, e.g. `contact`.' })
  target!: string;

  @Field(() => DataCategory, { description: 'Its data category.' })
  category!: `${DataCategory}`;

  @Field(() => String, { description: 'When (ISO-8601).' })
  at!: string;
}

@ObjectType('AccessGrant', {
  simpleResolvers: true,
  description: "A staff member's time-bounded access to a publisher's personal values, and every read under it.",
})
export class AccessGrantType {
  @Field(() => ID, { description: 'The grant id.' })
  id!: string;

  @Field(() => ID, { description: 'The publisher whose data it covers.' })
  publisherId!: string;

  @Field(() => ID, { nullable: true, description: "Only this offer's values, when set." })
  offerId!: string | null;

  @Field(() => [DataCategory], { description: 'The data categories it covers.' })
  categories!: `${DataCategory}`[];

  @Field(() => String, { description: 'Why the staff member needs the data.' })
  reason!: string;

  @Field(() => String, { description: 'The support ticket or incident it serves.' })
  ticket!: string;

  @Field(() => String, { description: 'The staff member (an actor reference, as the audit trail shows actors).' })
  grantee!: string;

  @Field(() => String, { description: 'From when (ISO-8601).' })
  startsAt!: string;

  @Field(() => String, { description: 'Until when (ISO-8601): it expires then.' })
  endsAt!: string;

  @Field(() => Boolean, { description: 'An emergency (break-glass) access: no approval, short, flagged for auditors.' })
  emergency!: boolean;

  @Field(() => AccessGrantStatus, { description: 'Where it stands now.' })
  status!: `${AccessGrantStatus}`;

  @Field(() => String, { description: 'When it was requested (ISO-8601).' })
  requestedAt!: string;

  @Field(() => String, { nullable: true, description: 'The second operator who approved it (an actor reference).' })
  approvedBy!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Who revoked it: an actor reference, or `erasure` (an AAD account of its grantee was erased).',
  })
  revokedBy!: string | null;

  @Field(() => String, { nullable: true, description: 'When it was revoked (ISO-8601).' })
  revokedAt!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it was revoked.' })
  revokeReason!: string | null;

  @Field(() => [AccessGrantUseType], { description: 'Every read under it, oldest first.' })
  accesses!: AccessGrantUseType[];
}

export const AccessGrantConnection = connectionOf(AccessGrantType, 'AccessGrant');

@ObjectType('AccessGrantPayload', {
  simpleResolvers: true,
  description: 'The grant after a change, and the log position it reached.',
})
export class AccessGrantPayload {
  @Field(() => AccessGrantType, { description: 'The grant as it stands now.' })
  grant!: AccessGrantType;

  @Field(() => String, { description: 'The log position the change reached (for `minPosition`).' })
  position!: string;
}
