import { Field, ID, ObjectType } from 'type-graphql';
import { OfferSummaryType } from './offer.type.js';
import { RegistrationStatus } from './publisher.type.js';

const EMAIL = 'The domain only, e.g. `*@contoso.cn`; null when absent or erased.';
const TELEPHONE = 'The country calling code only, e.g. `+86`; null when absent or erased.';
const PSEUDONYM = 'A pseudonym (`psn_…`): the same value always gives the same pseudonym; null when absent or erased.';

@ObjectType('MaskedContact', {
  simpleResolvers: true,
  description: "A publisher's contact person as an analyst sees it.",
})
export class MaskedContactType {
  @Field(() => String, { nullable: true, description: `The name. ${PSEUDONYM}` })
  name!: string | null;

  @Field(() => String, { nullable: true, description: `The telephone. ${TELEPHONE}` })
  telephone!: string | null;

  @Field(() => String, { nullable: true, description: `The email. ${EMAIL}` })
  email!: string | null;
}

@ObjectType('MaskedAadUser', { simpleResolvers: true, description: 'An AAD account as an analyst sees it.' })
export class MaskedAadUserType {
  @Field(() => String, { nullable: true, description: `The object id. ${PSEUDONYM}` })
  objectId!: string | null;

  @Field(() => String, { nullable: true, description: `The user principal name. ${EMAIL}` })
  userPrincipalName!: string | null;

  @Field(() => String, { nullable: true, description: `The display name. ${PSEUDONYM}` })
  displayName!: string | null;

  @Field(() => String, { description: 'When the account was given access (ISO-8601).' })
  addedAt!: string;
}

@ObjectType('MaskedSupportContact', {
  simpleResolvers: true,
  description: "An offer's customer-service contact as an analyst sees it.",
})
export class MaskedSupportContactType extends MaskedContactType {
  @Field(() => String, { nullable: true, description: `The QQ number. ${PSEUDONYM}` })
  qq!: string | null;

  @Field(() => String, { nullable: true, description: `The WeChat id. ${PSEUDONYM}` })
  wechat!: string | null;

  @Field(() => String, { nullable: true, description: `The Weibo account. ${PSEUDONYM}` })
  weibo!: string | null;
}

@ObjectType('MaskedOffer', { simpleResolvers: true, description: 'An offer as an analyst sees it.' })
export class MaskedOfferType extends OfferSummaryType {
  @Field(() => [MaskedSupportContactType], { description: 'Customer-service contacts, masked.' })
  supportContacts!: MaskedSupportContactType[];
}

@ObjectType('MaskedPublisher', {
  simpleResolvers: true,
  description: 'A publisher and its offers as an analyst sees them: every personal value masked or pseudonymous.',
})
export class MaskedPublisherType {
  @Field(() => ID, { description: 'The publisher id.' })
  id!: string;

  @Field(() => String, { description: 'Registered name of the company (a legal entity, not a person).' })
  companyName!: string;

  @Field(() => RegistrationStatus, { description: 'Where the registration stands.' })
  registrationStatus!: `${RegistrationStatus}`;

  @Field(() => String, { description: 'When the publisher registered (ISO-8601).' })
  registeredAt!: string;

  @Field(() => MaskedContactType, { description: 'The contact person, masked.' })
  contact!: MaskedContactType;

  @Field(() => [MaskedAadUserType], { description: 'The AAD accounts, masked.' })
  aadUsers!: MaskedAadUserType[];

  @Field(() => [MaskedOfferType], { description: 'Its newest offers (at most 100), masked.' })
  offers!: MaskedOfferType[];
}
