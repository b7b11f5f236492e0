import { Field, ID, InputType } from 'type-graphql';
import { IDEMPOTENCY_KEY_DESCRIPTION, VersionedChange } from './change.input.js';

@InputType('ContactInput', { description: 'A contact person, all fields required.' })
export class ContactInput {
  @Field(() => String, { description: 'Full name, 1 to 100 characters.' })
  name!: string;

  @Field(() => String, { description: 'Telephone number; +86 is assumed when no country code is given.' })
  telephone!: string;

  @Field(() => String, { description: 'Email address.' })
  email!: string;
}

@InputType('ContactPatchInput', { description: 'The contact fields to change; omitted fields stay as they are.' })
export class ContactPatchInput {
  @Field(() => String, { nullable: true, description: 'Full name, 1 to 100 characters.' })
  name?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Telephone number; +86 is assumed when no country code is given.',
  })
  telephone?: string | null;

  @Field(() => String, { nullable: true, description: 'Email address.' })
  email?: string | null;
}

@InputType('ContactPreferencesInput', {
  description: 'How the publisher agrees to be contacted; omitted choices are no.',
})
export class ContactPreferencesInput {
  @Field(() => Boolean, {
    defaultValue: false,
    description: 'May be contacted about offers of other products and services.',
  })
  aboutOffers!: boolean;

  @Field(() => Boolean, { defaultValue: false, description: 'May be contacted to give feedback.' })
  aboutFeedback!: boolean;

  @Field(() => Boolean, { defaultValue: false, description: 'By email.' })
  byEmail!: boolean;

  @Field(() => Boolean, { defaultValue: false, description: 'By telephone.' })
  byPhone!: boolean;
}

@InputType('RegisterPublisherInput', { description: 'A new publisher and its contact person.' })
export class RegisterPublisherInput {
  @Field(() => String, {
    nullable: true,
    description: IDEMPOTENCY_KEY_DESCRIPTION,
  })
  idempotencyKey?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'A client-chosen UUID for the new publisher; one is generated when omitted.',
  })
  id?: string | null;

  @Field(() => String, { description: 'Registered name of the company, 1 to 200 characters.' })
  companyName!: string;

  @Field(() => String, {
    description: 'Unified Social Credit Code of the legal entity: 18 characters whose last is a check character.',
  })
  registrationCode!: string;

  @Field(() => ContactInput, { description: 'The contact person.' })
  contact!: ContactInput;

  @Field(() => ContactPreferencesInput, {
    nullable: true,
    description: 'How the publisher agrees to be contacted; no contact when omitted.',
  })
  contactPreferences?: ContactPreferencesInput | null;
}

@InputType('UpdatePublisherContactInput', {
  description: "A change to a publisher's company name or contact person. Only changed fields are recorded.",
})
export class UpdatePublisherContactInput extends VersionedChange('publisher') {
  @Field(() => String, { nullable: true, description: 'New company name.' })
  companyName?: string | null;

  @Field(() => ContactPatchInput, { nullable: true, description: 'Contact fields to change.' })
  contact?: ContactPatchInput | null;
}

@InputType('UpdateContactPreferencesInput', { description: "A publisher's new contact preferences (the whole set)." })
export class UpdateContactPreferencesInput extends VersionedChange('publisher') {
  @Field(() => ContactPreferencesInput, { description: 'The new preferences.' })
  contactPreferences!: ContactPreferencesInput;
}

@InputType('ReviewPublisherInput', { description: "An operator's decision on a publisher's registration." })
export class ReviewPublisherInput extends VersionedChange('publisher') {
  @Field(() => String, {
    nullable: true,
    description: 'Why the registration is rejected (required to reject, 1 to 500 characters).',
  })
  reason?: string | null;
}

@InputType('AddAadUserInput', { description: 'An AAD account to give access to the publisher.' })
export class AddAadUserInput extends VersionedChange('publisher') {
  @Field(() => ID, { description: "The account's AAD object id (a GUID); an account already on the list is refused." })
  objectId!: string;

  @Field(() => String, { description: 'User principal name (email-shaped).' })
  userPrincipalName!: string;

  @Field(() => String, { description: 'Display name, 1 to 256 characters.' })
  displayName!: string;
}

@InputType('RemoveAadUserInput', { description: 'An AAD account whose access to the publisher ends now.' })
export class RemoveAadUserInput extends VersionedChange('publisher') {
  @Field(() => ID, { description: "The account's AAD object id. The last account cannot be removed." })
  objectId!: string;
}
