import { Field, ID, InputType } from 'type-graphql';
import { DataCategory } from './access-grant.type.js';
import { IDEMPOTENCY_KEY_DESCRIPTION } from './change.input.js';

@InputType('RequestAccessGrantInput', {
  description: "An operator's own access to a publisher's personal values, to resolve a support incident.",
})
export class RequestAccessGrantInput {
  @Field(() => ID, { description: 'The publisher.' })
  publisherId!: string;

  @Field(() => ID, { nullable: true, description: "Only this offer's values (its customer-service contacts)." })
  offerId?: string | null;

  @Field(() => [DataCategory], { description: 'The data categories needed.' })
  categories!: `${DataCategory}`[];

  @Field(() => String, { description: 'Why (at most 500 characters).' })
  reason!: string;

  @Field(() => String, { description: 'The support ticket or incident reference (at most 100 characters).' })
  ticket!: string;

  @Field(() => String, { nullable: true, description: 'From when (ISO-8601 with a zone); now when omitted.' })
  startsAt?: string | null;

  @Field(() => String, {
    description: 'Until when (ISO-8601 with a zone): at most ACCESS_GRANT_MAX_MINUTES after startsAt.',
  })
  endsAt!: string;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Break glass: active at once without approval, at most EMERGENCY_ACCESS_MAX_MINUTES, flagged for auditors and the publisher.',
  })
  emergency?: boolean | null;

  @Field(() => String, { nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION })
  idempotencyKey?: string | null;
}

@InputType('AccessGrantRefInput', { description: 'One access grant of a publisher.' })
export class AccessGrantRefInput {
  @Field(() => ID, { description: 'The publisher.' })
  publisherId!: string;

  @Field(() => ID, { description: 'The grant.' })
  grantId!: string;
}

@InputType('RevokeAccessGrantInput', { description: 'Ends an access grant now (the issue is resolved).' })
export class RevokeAccessGrantInput extends AccessGrantRefInput {
  @Field(() => String, { description: 'Why (at most 500 characters).' })
  reason!: string;
}
