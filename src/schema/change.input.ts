import { Field, ID, InputType, Int } from 'type-graphql';

export const IDEMPOTENCY_KEY_DESCRIPTION =
  'Makes the mutation safe to retry: a retry with the same key returns the first result and records nothing; the same key with different input, or for data erased since the first attempt, is BAD_USER_INPUT. 8 to 128 letters, digits or . _ : -';

/** What every change to an existing publisher or offer carries: which one, the version edited, an idempotency key. */
export function VersionedChange(entity: 'publisher' | 'offer') {
  // type-graphql inherits fields only from a decorated class; it is never used
  // as an argument itself, so it does not appear in the schema.
  @InputType(entity === 'publisher' ? 'PublisherChangeBase' : 'OfferChangeBase', {
    description: `A change to a ${entity}.`,
  })
  abstract class VersionedChangeInput {
    @Field(() => ID, { description: `The ${entity} to change.` })
    id!: string;

    @Field(() => Int, { description: `The version the client edited; CONFLICT if the ${entity} changed since.` })
    expectedVersion!: number;

    @Field(() => String, { nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION })
    idempotencyKey?: string | null;
  }
  return VersionedChangeInput;
}
