import { Field, ID, InputType, registerEnumType } from 'type-graphql';
import { IDEMPOTENCY_KEY_DESCRIPTION } from './change.input.js';

export enum ErasureTarget {
  CONTACT = 'CONTACT',
  AAD_ACCOUNT = 'AAD_ACCOUNT',
  OFFER_SUPPORT = 'OFFER_SUPPORT',
}
registerEnumType(ErasureTarget, {
  name: 'ErasureTarget',
  description: 'Which person of a publisher to erase.',
  valuesConfig: {
    CONTACT: { description: "The publisher's contact person." },
    AAD_ACCOUNT: {
      description:
        'One AAD account, by `accountId`; it must have been removed first (an account with access cannot be nameless).',
    },
    OFFER_SUPPORT: {
      description:
        "An offer's customer-service contacts, by `offerId` (deleted offers included): one data subject per offer.",
    },
  },
});

@InputType('ErasePersonalDataInput', { description: 'One person to erase.' })
export class ErasePersonalDataInput {
  @Field(() => ID, { description: 'The publisher the person belongs to.' })
  publisherId!: string;

  @Field(() => ErasureTarget, { description: 'Which person.' })
  target!: `${ErasureTarget}`;

  @Field(() => ID, {
    nullable: true,
    description: 'For AAD_ACCOUNT: the account id (`AadUser.accountId`, or from the history).',
  })
  accountId?: string | null;

  @Field(() => ID, { nullable: true, description: 'For OFFER_SUPPORT: the offer.' })
  offerId?: string | null;

  @Field(() => String, { nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION })
  idempotencyKey?: string | null;
}

@InputType('ClosePublisherAccountInput', { description: 'The publisher whose account to close.' })
export class ClosePublisherAccountInput {
  @Field(() => ID, { description: 'The publisher.' })
  publisherId!: string;

  // The closure erases the accounts that allowed a member to make it, and
  // nothing kept links a person to an erased account, so a former member's
  // retry cannot be told from a stranger's.
  @Field(() => String, {
    nullable: true,
    description: `${IDEMPOTENCY_KEY_DESCRIPTION}\n\nOnce the closure is done, a member's retry is FORBIDDEN (the closure erased the member's account); an operator's answers the first result.`,
  })
  idempotencyKey?: string | null;
}
