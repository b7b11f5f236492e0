import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType('ContactDetails', {
  description:
    "A publisher's contact person. Personal data (administrator data): each value is stored encrypted and reads as null once erased.",
})
export class ContactDetailsType {
  @Field(() => String, { nullable: true, description: 'Full name of the contact person.' })
  name!: string | null;

  @Field(() => String, { nullable: true, description: 'Telephone number in E.164 form, e.g. +8613800138000.' })
  telephone!: string | null;

  @Field(() => String, { nullable: true, description: 'Email address, trimmed and lower-cased.' })
  email!: string | null;
}

@ObjectType('Publisher', {
  description: 'A marketplace service provider: a legal entity that publishes offers.',
})
export class PublisherType {
  @Field(() => ID, { description: 'The publisher id (a UUID).' })
  id!: string;

  @Field(() => String, { description: 'Registered name of the company.' })
  companyName!: string;

  @Field(() => ContactDetailsType, { description: 'The contact person.' })
  contact!: ContactDetailsType;

  @Field(() => Int, {
    description: 'Number of changes recorded for this publisher; pass it as `expectedVersion` when editing.',
  })
  version!: number;

  @Field(() => String, { description: 'When the publisher registered (ISO-8601).' })
  registeredAt!: string;

  @Field(() => String, { description: 'When the publisher last changed (ISO-8601).' })
  updatedAt!: string;
}

@ObjectType('PublisherPayload', { description: 'The result of a change to a publisher.' })
export class PublisherPayload {
  @Field(() => PublisherType, { description: 'The publisher as it stands after the change.' })
  publisher!: PublisherType;

  @Field(() => Int, { description: 'The version after the change (unchanged when nothing changed).' })
  version!: number;

  @Field(() => String, {
    description:
      'The log position the change reached. Pass it as `minPosition` to a query to read your own write.',
  })
  position!: string;
}
