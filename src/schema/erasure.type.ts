import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('ErasurePayload', {
  simpleResolvers: true,
  description: 'The result of an erasure: which data subjects are now unreadable for good.',
})
export class ErasurePayload {
  @Field(() => [String], {
    description:
      'The data subjects this call erased, e.g. `publisher/<id>/contact`, `offer/<id>/support` (ids only, no personal data); empty when there was nothing left to erase. A retry with the same idempotencyKey answers as the first call.',
  })
  subjects!: string[];

  @Field(() => Int, {
    description:
      'How many data subjects this call erased: 0 when they were erased already (nothing was recorded or destroyed).',
  })
  erasedCount!: number;

  @Field(() => String, {
    description: 'The log position reached. Pass it as `minPosition` to a query to read your own write.',
  })
  position!: string;
}
