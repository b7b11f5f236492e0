import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum ContactPurpose {
  OFFERS = 'OFFERS',
  FEEDBACK = 'FEEDBACK',
  BILLING = 'BILLING',
  SECURITY = 'SECURITY',
  LEGAL = 'LEGAL',
}
registerEnumType(ContactPurpose, {
  name: 'ContactPurpose',
  description: 'Why publishers are to be contacted.',
  valuesConfig: {
    OFFERS: {
      description: 'Offers of other products and services: only publishers who opted in (aboutOffers and the channel).',
    },
    FEEDBACK: { description: 'A request for feedback: only publishers who opted in (aboutFeedback and the channel).' },
    BILLING: { description: 'Billing: a service communication, sent whatever the preferences.' },
    SECURITY: { description: 'Security or technical issues: a service communication, sent whatever the preferences.' },
    LEGAL: {
      description:
        'Legal notices (e.g. third-party inquiries): a service communication, sent whatever the preferences.',
    },
  },
});

export enum ContactChannel {
  EMAIL = 'EMAIL',
  PHONE = 'PHONE',
}
registerEnumType(ContactChannel, {
  name: 'ContactChannel',
  description: 'How to contact.',
  valuesConfig: { EMAIL: { description: 'By email.' }, PHONE: { description: 'By telephone.' } },
});

@ObjectType('ContactListEntry', {
  simpleResolvers: true,
  description: 'One publisher to contact, and the value to use.',
})
export class ContactListEntryType {
  @Field(() => ID, { description: 'The publisher.' })
  publisherId!: string;

  @Field(() => String, { description: 'Its company name.' })
  companyName!: string;

  @Field(() => String, { nullable: true, description: 'Its contact person.' })
  contactName!: string | null;

  @Field(() => String, { description: "The contact person's email (EMAIL) or telephone (PHONE)." })
  value!: string;
}

@ObjectType('ContactList', {
  simpleResolvers: true,
  description: 'The publishers that may be contacted for one purpose by one channel, recorded when produced.',
})
export class ContactListType {
  @Field(() => ID, { description: 'The list (its stream is contact-list-<id>).' })
  id!: string;

  @Field(() => ContactPurpose, { description: 'Why.' })
  purpose!: `${ContactPurpose}`;

  @Field(() => ContactChannel, { description: 'How.' })
  channel!: `${ContactChannel}`;

  @Field(() => Boolean, {
    description:
      'false for BILLING, SECURITY and LEGAL: the contact preferences were not consulted, as the privacy statement allows.',
  })
  preferencesApplied!: boolean;

  @Field(() => Int, { description: 'How many publishers it names.' })
  publisherCount!: number;

  @Field(() => String, {
    description:
      'The log position the preferences were read at (at least): a change of preferences after it may not be reflected.',
  })
  basedOnPosition!: string;

  @Field(() => String, { description: "The list's own log position (auditors compare preference changes with it)." })
  position!: string;

  @Field(() => [ContactListEntryType], { description: 'Whom to contact.' })
  entries!: ContactListEntryType[];
}
