import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum BrokenLinkKind {
  HASH_MISMATCH = 'HASH_MISMATCH',
  PREV_HASH_MISMATCH = 'PREV_HASH_MISMATCH',
  REVISION_GAP = 'REVISION_GAP',
}

registerEnumType(BrokenLinkKind, {
  name: 'BrokenLinkKind',
  description: 'How a link of the hash chain is broken.',
  valuesConfig: {
    HASH_MISMATCH: { description: 'The stored hash is not the hash of the stored event: the event was altered.' },
    PREV_HASH_MISMATCH: {
      description:
        "The event does not point at the previous event's hash: an event was altered, replaced or re-hashed.",
    },
    REVISION_GAP: { description: 'The stream skips a revision or does not start at 0: an event was removed.' },
  },
});

@ObjectType('BrokenLink', {
  simpleResolvers: true,
  description: 'The first place where the log differs from what was appended. Holds hashes and revisions, never data.',
})
export class BrokenLinkType {
  @Field(() => String, { description: 'The stream, e.g. `publisher-<id>`.' })
  streamId!: string;

  @Field(() => Int, { description: 'The revision (0-based) of the event where the chain breaks.' })
  revision!: number;

  @Field(() => String, { description: 'Its global log position.' })
  position!: string;

  @Field(() => BrokenLinkKind, { description: 'What differs.' })
  kind!: `${BrokenLinkKind}`;

  @Field(() => String, { description: 'What the chain says should be there: a hash (hex) or, for a gap, a revision.' })
  expected!: string;

  @Field(() => String, { description: 'What is stored.' })
  found!: string;
}

@ObjectType('IntegrityReport', {
  simpleResolvers: true,
  description:
    'The result of recomputing every hash of the chain from the stored bytes. Erasure destroys keys, not bytes, so an erased history verifies.',
})
export class IntegrityReportType {
  @Field(() => Boolean, { description: 'Whether every link holds.' })
  intact!: boolean;

  @Field(() => Int, { description: 'How many events were checked (up to and including the first broken one).' })
  eventsChecked!: number;

  @Field(() => BrokenLinkType, { nullable: true, description: 'The first broken link, null when intact.' })
  firstBreak!: BrokenLinkType | null;
}
