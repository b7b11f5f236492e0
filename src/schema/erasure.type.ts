import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('ErasurePayload', { simpleResolvers: true, description: 'The result of an erasure: which data subjects are now unreadable for good.' })
export class ErasurePayload {
  @Field(() => [String], { description: 'The erased data subjects, e.g. `publisher/<id>/contact`, `offer/<id>/support` (ids only, no personal data).' })
  subjects!: string[];

  @Field(() => Int, { description: 'How many data subjects were erased.' })
  erasedCount!: number;

  @Field(() => String, { description: 'The log position reached. Pass it as `minPosition` to a query to read your own write.' })
  position!: string;
}
