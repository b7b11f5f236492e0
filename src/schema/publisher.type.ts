import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum RegistrationStatus {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  CLOSED = 'CLOSED',
}

registerEnumType(RegistrationStatus, {
  name: 'RegistrationStatus',
  description: "Where a publisher's registration stands; only an approved publisher may publish offers.",
  valuesConfig: {
    PENDING: { description: 'Registered, waiting for an operator to review the legal entity.' },
    APPROVED: { description: 'Reviewed and approved: the publisher may publish offers.' },
    REJECTED: { description: 'Reviewed and rejected; see `rejectionReason`. An operator may still approve it later.' },
    CLOSED: {
      description:
        'The account was closed and its people erased (`closePublisherAccount`); it accepts no further changes.',
    },
  },
});

@ObjectType('ContactPreferences', {
  simpleResolvers: true,
  description: 'Whether the marketplace may contact the publisher about offers and feedback, and by which channels.',
})
export class ContactPreferencesType {
  @Field(() => Boolean, { description: 'May be contacted about offers of other products and services.' })
  aboutOffers!: boolean;

  @Field(() => Boolean, { description: 'May be contacted to give feedback.' })
  aboutFeedback!: boolean;

  @Field(() => Boolean, { description: 'By email.' })
  byEmail!: boolean;

  @Field(() => Boolean, { description: 'By telephone.' })
  byPhone!: boolean;
}

@ObjectType('ContactDetails', {
  simpleResolvers: true,
  description:
    "A publisher's contact person. Personal data (administrator data): each value is stored encrypted and reads as null once erased. An edit after an erasure starts the contact afresh: the values it gives read in clear, the fields it did not give read null until given again, and the erased values stay erased in history.",
})
export class ContactDetailsType {
  @Field(() => String, { nullable: true, description: 'Full name of the contact person.' })
  name!: string | null;

  @Field(() => String, { nullable: true, description: 'Telephone number in E.164 form, e.g. +8613800138000.' })
  telephone!: string | null;

  @Field(() => String, { nullable: true, description: 'Email address, trimmed and lower-cased.' })
  email!: string | null;

  @Field(() => Boolean, {
    description:
      'True while the contact person is erased: some value was erased and none is readable (they read as null, here, in history and in exports). False again once an edit gives a new value.',
  })
  erased!: boolean;
}

@ObjectType('AadUser', {
  simpleResolvers: true,
  description:
    'An Azure AD (Entra ID) account with access to the publisher. Personal data (administrator data): values read as null once erased.',
})
export class AadUserType {
  @Field(() => ID, {
    description:
      "The account's id in this service (not its AAD object id): names it for erasure and in history (`aadUsers.<accountId>.…`).",
  })
  accountId!: string;

  @Field(() => Boolean, { description: 'True once the account was erased: its values then read as null.' })
  erased!: boolean;

  @Field(() => ID, { nullable: true, description: "The account's object id (a GUID)." })
  objectId!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'User principal name, e.g. li.lei@contoso.partner.onmschina.cn.',
  })
  userPrincipalName!: string | null;

  @Field(() => String, { nullable: true, description: 'Display name.' })
  displayName!: string | null;

  @Field(() => String, { description: 'When the account was given access (ISO-8601).' })
  addedAt!: string;

  @Field(() => String, {
    description:
      "Who gave it access: an actor id (a member's account id at this publisher, its own for the registrant's account; another person's pseudonymous reference `actor-<uuid>`; or a service identity).",
  })
  addedBy!: string;
}

@ObjectType('Publisher', {
  simpleResolvers: true,
  description: 'A marketplace service provider: a legal entity that publishes offers.',
})
export class PublisherType {
  @Field(() => ID, { description: 'The publisher id (a UUID).' })
  id!: string;

  @Field(() => String, { description: 'Registered name of the company.' })
  companyName!: string;

  @Field(() => String, {
    description: 'Unified Social Credit Code (统一社会信用代码) of the legal entity, 18 characters.',
  })
  registrationCode!: string;

  @Field(() => RegistrationStatus, { description: 'Where the registration stands.' })
  registrationStatus!: `${RegistrationStatus}`;

  @Field(() => String, { nullable: true, description: 'Why the registration was rejected; null unless rejected.' })
  rejectionReason!: string | null;

  @Field(() => ContactDetailsType, {
    description: 'The contact person. Reading it in a query is recorded as a privacy request (VIEW).',
  })
  contact!: ContactDetailsType;

  @Field(() => [AadUserType], {
    description:
      'The AAD accounts with access to the publisher, in the order they were added. Reading them in a query is recorded as a privacy request (VIEW).',
  })
  aadUsers!: AadUserType[];

  @Field(() => ContactPreferencesType, { description: 'How the publisher agreed to be contacted.' })
  contactPreferences!: ContactPreferencesType;

  @Field(() => Int, {
    description: 'Number of changes recorded for this publisher; pass it as `expectedVersion` when editing.',
  })
  version!: number;

  @Field(() => String, { description: 'When the publisher registered (ISO-8601).' })
  registeredAt!: string;

  @Field(() => String, { description: 'When the publisher last changed (ISO-8601).' })
  updatedAt!: string;
}

@ObjectType('PublisherPayload', { simpleResolvers: true, description: 'The result of a change to a publisher.' })
export class PublisherPayload {
  @Field(() => PublisherType, { description: 'The publisher as it stands after the change.' })
  publisher!: PublisherType;

  @Field(() => Int, { description: 'The version after the change (unchanged when nothing changed).' })
  version!: number;

  @Field(() => String, {
    description: 'The log position the change reached. Pass it as `minPosition` to a query to read your own write.',
  })
  position!: string;
}
