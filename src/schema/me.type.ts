import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { PublisherType } from './publisher.type.js';

export enum PrincipalKind {
  USER = 'user',
  SERVICE = 'service',
}

registerEnumType(PrincipalKind, {
  name: 'PrincipalKind',
  description: 'Whether the token was issued to a person or to an application.',
  valuesConfig: {
    USER: { description: 'A person signed in with Entra ID.' },
    SERVICE: { description: 'An application (an app-only token).' },
  },
});

@ObjectType('Me', {
  simpleResolvers: true,
  description: 'Who the bearer token says is asking, and the publishers it is a member of.',
})
export class MeType {
  @Field(() => ID, { description: 'The AAD object id (`oid` claim).' })
  id!: string;

  @Field(() => PrincipalKind, { description: 'A person or an application.' })
  kind!: `${PrincipalKind}`;

  @Field(() => [String], {
    description: 'The app roles the token carries: `operator`, `auditor`, `analyst` (none for a publisher member).',
  })
  roles!: string[];

  @Field(() => String, { nullable: true, description: 'The user principal name from the token, when it has one.' })
  userPrincipalName!: string | null;

  @Field(() => String, { nullable: true, description: 'The display name from the token, when it has one.' })
  displayName!: string | null;

  @Field(() => [PublisherType], {
    description: 'The publishers whose AAD accounts include this principal, as the publishers stand now (usually one).',
  })
  publishers!: PublisherType[];
}
