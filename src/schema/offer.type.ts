import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { connectionOf } from './connection.js';

export enum OfferKind {
  VIRTUAL_MACHINE = 'VIRTUAL_MACHINE',
  SOLUTION_TEMPLATE = 'SOLUTION_TEMPLATE',
  CUSTOMIZED_SERVICE = 'CUSTOMIZED_SERVICE',
}
registerEnumType(OfferKind, {
  name: 'OfferKind',
  description: 'What an offer is.',
  valuesConfig: {
    VIRTUAL_MACHINE: { description: 'A stand-alone virtual machine image.' },
    SOLUTION_TEMPLATE: { description: 'An ARM solution template.' },
    CUSTOMIZED_SERVICE: { description: 'A customised service.' },
  },
});

export enum OfferStatus {
  DRAFT = 'DRAFT',
  PUBLISHED = 'PUBLISHED',
}
registerEnumType(OfferStatus, {
  name: 'OfferStatus',
  description: 'Where an offer stands. Deleted offers are not shown anywhere (their history stays for auditors).',
  valuesConfig: {
    DRAFT: { description: 'Being prepared; not visible in the marketplace.' },
    PUBLISHED: { description: 'Visible in the marketplace.' },
  },
});

@ObjectType('SupportContact', {
  simpleResolvers: true,
  description:
    'A customer-service contact of an offer. Personal data (customer data): values read as null once erased.',
})
export class SupportContactType {
  @Field(() => String, { nullable: true, description: 'Name.' })
  name!: string | null;

  @Field(() => String, { nullable: true, description: 'Telephone number (E.164).' })
  telephone!: string | null;

  @Field(() => String, { nullable: true, description: 'Email address.' })
  email!: string | null;

  @Field(() => String, { nullable: true, description: 'QQ number.' })
  qq!: string | null;

  @Field(() => String, { nullable: true, description: 'WeChat id.' })
  wechat!: string | null;

  @Field(() => String, { nullable: true, description: 'Weibo account.' })
  weibo!: string | null;

  @Field(() => Boolean, {
    description: "True once the offer's customer-service contacts were erased: every value then reads as null.",
  })
  erased!: boolean;
}

/** What every view of an offer shows, the analyst's masked one included. */
@ObjectType({ simpleResolvers: true })
export abstract class OfferSummaryType {
  @Field(() => ID, { description: 'The offer id (a UUID).' })
  id!: string;

  @Field(() => String, { description: 'Name of the offer.' })
  name!: string;

  @Field(() => OfferKind, { description: 'What the offer is.' })
  kind!: `${OfferKind}`;

  @Field(() => OfferStatus, { description: 'Draft or published.' })
  status!: `${OfferStatus}`;

  @Field(() => String, { description: 'When the offer was created (ISO-8601).' })
  createdAt!: string;

  @Field(() => String, { nullable: true, description: 'When the offer was published (ISO-8601); null while a draft.' })
  publishedAt!: string | null;
}

@ObjectType('Offer', { simpleResolvers: true, description: "A publisher's product or service in the marketplace." })
export class OfferType extends OfferSummaryType {
  @Field(() => ID, { description: 'The publisher it belongs to.' })
  publisherId!: string;

  @Field(() => [SupportContactType], {
    description:
      'Customer-service contacts, in the order given. Reading them in a query is recorded as a privacy request (VIEW) of the publisher.',
  })
  supportContacts!: SupportContactType[];

  @Field(() => Int, {
    description: 'Number of changes recorded for this offer; pass it as `expectedVersion` when editing.',
  })
  version!: number;

  @Field(() => String, { description: 'When the offer last changed (ISO-8601).' })
  updatedAt!: string;
}

export const OfferConnection = connectionOf(OfferType, 'Offer');

@ObjectType('OfferPayload', { simpleResolvers: true, description: 'The result of a change to an offer.' })
export class OfferPayload {
  @Field(() => OfferType, { nullable: true, description: 'The offer after the change; null once deleted.' })
  offer!: OfferType | null;

  @Field(() => Int, { description: 'The version after the change.' })
  version!: number;

  @Field(() => String, { description: 'The log position the change reached (for `minPosition`).' })
  position!: string;
}
