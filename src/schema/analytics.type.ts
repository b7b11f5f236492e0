import { Field, Int, ObjectType } from 'type-graphql';
import { OfferKind } from './offer.type.js';
import { RegistrationStatus } from './publisher.type.js';

@ObjectType('PublisherStatusCount', {
  simpleResolvers: true,
  description: 'How many publishers have one registration status.',
})
export class PublisherStatusCountType {
  @Field(() => RegistrationStatus, { description: 'The registration status.' })
  status!: `${RegistrationStatus}`;

  @Field(() => Int, { description: 'How many publishers have it.' })
  count!: number;
}

@ObjectType('OfferKindStatusCount', {
  simpleResolvers: true,
  description: 'How many offers of one kind have one status.',
})
export class OfferKindStatusCountType {
  @Field(() => OfferKind, { description: 'The kind of offer.' })
  kind!: `${OfferKind}`;

  @Field(() => String, { description: 'DRAFT, PUBLISHED or DELETED.' })
  status!: string;

  @Field(() => Int, { description: 'How many offers of that kind have that status.' })
  count!: number;
}

@ObjectType('DayCount', {
  simpleResolvers: true,
  description: 'Changes, erasures, disclosures, contact lists and access grants recorded on one UTC day.',
})
export class DayCountType {
  @Field(() => String, { description: 'The UTC day, YYYY-MM-DD.' })
  day!: string;

  @Field(() => Int, { description: 'Changes recorded to publishers and offers that day (erasures not included).' })
  changes!: number;

  @Field(() => Int, { description: 'People erased that day (PersonalDataErased events).' })
  erasures!: number;

  @Field(() => Int, { description: 'Disclosures to third parties recorded that day.' })
  disclosures!: number;

  @Field(() => Int, { description: 'Contact lists produced that day.' })
  contactLists!: number;

  @Field(() => Int, {
    description: "Operators' access grants to publishers' personal data requested that day, emergency ones included.",
  })
  accessGrants!: number;

  @Field(() => Int, { description: 'Emergency (break-glass) accesses opened that day.' })
  emergencyAccesses!: number;
}

@ObjectType('Analytics', {
  simpleResolvers: true,
  description: 'Counts and trends for analysts, from read models that hold no personal data at all.',
})
export class AnalyticsType {
  /** resolved by AnalyticsResolver's field resolvers */
  readonly _analytics?: true;
}
