import { Field, ID, InputType } from 'type-graphql';
import { IDEMPOTENCY_KEY_DESCRIPTION } from './change.input.js';
import { LegalBasis } from './disclosure.type.js';

@InputType('DisclosureNoticeInput', {
  description: 'Whether the publisher was notified, or why and until when notice is withheld.',
})
export class DisclosureNoticeInput {
  @Field(() => Boolean, {
    description: 'true: the publisher was notified; false: notice is withheld (COMPELLED_BY_LAW only).',
  })
  notified!: boolean;

  @Field(() => String, { nullable: true, description: 'When the publisher was notified (ISO-8601; default now).' })
  notifiedAt?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Required when withheld: the law or order that prohibits notice (no personal data).',
  })
  withheldReason?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Required when withheld: until when (ISO-8601, after `disclosedAt`).',
  })
  withheldUntil?: string | null;
}

@InputType('RecordDisclosureInput', { description: "A disclosure of a publisher's data that happened." })
export class RecordDisclosureInput {
  @Field(() => ID, { description: 'Whose data.' })
  publisherId!: string;

  @Field(() => String, { description: "The recipient's name (an authority, a complainant), 1 to 200 characters." })
  recipientName!: string;

  @Field(() => String, { description: "The recipient's country, ISO 3166-1 alpha-2." })
  recipientCountry!: string;

  @Field(() => [String], {
    description:
      'The disclosed fields, by their label in the classification (docs/privacy.md), e.g. "contact person email".',
  })
  fields!: string[];

  @Field(() => LegalBasis, { nullable: true, description: 'Why: required (a disclosure without one is refused).' })
  legalBasis?: `${LegalBasis}` | null;

  @Field(() => String, {
    nullable: true,
    description: 'When it was disclosed (ISO-8601; default now; never in the future).',
  })
  disclosedAt?: string | null;

  @Field(() => DisclosureNoticeInput, { description: 'Whether the publisher was told.' })
  notice!: DisclosureNoticeInput;

  @Field(() => String, { nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION })
  idempotencyKey?: string | null;
}
