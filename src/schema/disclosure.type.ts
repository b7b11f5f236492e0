import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { connectionOf } from './connection.js';

export enum LegalBasis {
  COMPELLED_BY_LAW = 'COMPELLED_BY_LAW',
  THIRD_PARTY_COMPLAINT = 'THIRD_PARTY_COMPLAINT',
  PUBLISHER_INSTRUCTION = 'PUBLISHER_INSTRUCTION',
}
registerEnumType(LegalBasis, {
  name: 'LegalBasis',
  description: 'Why data was disclosed to a third party.',
  valuesConfig: {
    COMPELLED_BY_LAW: {
      description: 'A law, court or authority compelled it; only this basis allows notice to be withheld.',
    },
    THIRD_PARTY_COMPLAINT: {
      description:
        "A third party complained about the publisher's use of the services: basic contact information only.",
    },
    PUBLISHER_INSTRUCTION: { description: 'The publisher asked for it.' },
  },
});

export enum NoticeStatus {
  NOTIFIED = 'NOTIFIED',
  WITHHELD = 'WITHHELD',
}
registerEnumType(NoticeStatus, {
  name: 'NoticeStatus',
  description: 'Whether the publisher was told of a disclosure.',
  valuesConfig: {
    NOTIFIED: { description: 'The publisher was notified (`notifiedAt`).' },
    WITHHELD: {
      description: 'The law prohibits notice until `withheldUntil`; the publisher sees the disclosure from then on.',
    },
  },
});

@ObjectType('DisclosureRecipient', { simpleResolvers: true, description: 'Who received the data.' })
export class DisclosureRecipientType {
  @Field(() => String, {
    nullable: true,
    description: "The recipient's name: null, with `erased` true, once the publisher's account is closed.",
  })
  name!: string | null;

  @Field(() => String, { description: 'ISO 3166-1 alpha-2 country code.' })
  country!: string;

  @Field(() => Boolean, { description: "Whether the name was erased with the publisher's account." })
  erased!: boolean;
}

@ObjectType('DisclosureNotice', { simpleResolvers: true, description: 'Whether and when the publisher was told.' })
export class DisclosureNoticeType {
  @Field(() => NoticeStatus, { description: 'Notified, or withheld.' })
  status!: `${NoticeStatus}`;

  @Field(() => String, { nullable: true, description: 'NOTIFIED: when (ISO-8601).' })
  notifiedAt?: string | null;

  @Field(() => String, { nullable: true, description: 'WITHHELD: the law or order that prohibits notice.' })
  reason?: string | null;

  @Field(() => String, { nullable: true, description: 'WITHHELD: until when (ISO-8601).' })
  until?: string | null;
}

@ObjectType('Disclosure', {
  simpleResolvers: true,
  description: "A disclosure of a publisher's data to a third party. The disclosed values are not kept here.",
})
export class DisclosureType {
  @Field(() => ID, { description: 'The disclosure.' })
  id!: string;

  @Field(() => ID, { description: 'Whose data.' })
  publisherId!: string;

  @Field(() => DisclosureRecipientType, { description: 'To whom.' })
  recipient!: DisclosureRecipientType;

  @Field(() => [String], { description: 'Which fields, by their label in the classification (docs/privacy.md).' })
  fields!: string[];

  @Field(() => LegalBasis, { description: 'Why.' })
  legalBasis!: `${LegalBasis}`;

  @Field(() => String, { description: 'When the data was disclosed (ISO-8601).' })
  disclosedAt!: string;

  @Field(() => DisclosureNoticeType, { description: 'Whether the publisher was told.' })
  notice!: DisclosureNoticeType;

  @Field(() => String, { description: 'When it was recorded (ISO-8601).' })
  recordedAt!: string;

  @Field(() => String, { description: 'Who recorded it (an actor id).' })
  recordedBy!: string;
}

export const DisclosureConnection = connectionOf(DisclosureType, 'Disclosure');

@ObjectType('RecordedDisclosure', { simpleResolvers: true, description: 'The result of recording a disclosure.' })
export class RecordedDisclosureType {
  @Field(() => ID, { description: 'The disclosure.' })
  id!: string;

  @Field(() => String, { description: 'The log position the record reached (for `minPosition`).' })
  position!: string;
}
