import { Field, ID, InputType } from 'type-graphql';
import { IDEMPOTENCY_KEY_DESCRIPTION, VersionedChange } from './change.input.js';
import { OfferKind } from './offer.type.js';

@InputType('CreateOfferInput', { description: 'A new draft offer.' })
export class CreateOfferInput {
  @Field(() => ID, { nullable: true, description: 'A client-chosen UUID; generated when omitted.' })
  id?: string | null;

  @Field(() => ID, { description: 'The publisher the offer belongs to.' })
  publisherId!: string;

  @Field(() => String, { description: 'Name, 1 to 200 characters.' })
  name!: string;

  @Field(() => OfferKind, { description: 'What the offer is.' })
  kind!: `${OfferKind}`;

  @Field(() => String, { nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION })
  idempotencyKey?: string | null;
}

@InputType('SupportContactInput', {
  description:
    'A customer-service contact: every field optional, but at least one of telephone, email, qq, wechat, weibo.',
})
export class SupportContactInput {
  @Field(() => String, { nullable: true, description: 'Name, up to 100 characters.' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'Telephone; +86 assumed without a country code.' })
  telephone?: string | null;

  @Field(() => String, { nullable: true, description: 'Email address.' })
  email?: string | null;

  @Field(() => String, { nullable: true, description: 'QQ number: 5 to 11 digits, no leading zero.' })
  qq?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'WeChat id: 6 to 20 characters, starting with a letter; letters, digits, _ and -.',
  })
  wechat?: string | null;

  @Field(() => String, { nullable: true, description: 'Weibo account, up to 50 characters.' })
  weibo?: string | null;
}

@InputType('UpdateOfferCustomerServiceInput', {
  description: "An offer's new list of customer-service contacts (replaces the old).",
})
export class UpdateOfferCustomerServiceInput extends VersionedChange('offer') {
  @Field(() => [SupportContactInput], { description: 'Up to 20 contacts.' })
  supportContacts!: SupportContactInput[];
}

@InputType('OfferChangeInput', { description: 'An offer to publish or delete, and the version edited.' })
export class OfferChangeInput extends VersionedChange('offer') {}
