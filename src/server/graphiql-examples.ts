/**
 * The operations the IDE opens with: one tab per kind of user, each a
 * document the schema accepts (test/server/graphiql-examples.test.ts) and
 * that its role may run. Values are a made-up publisher, never a real one.
 */
export interface ExampleTab {
  /** the role to sign in as (the IDE's sign-in and the `token --role` command) */
  role: 'member' | 'operator' | 'auditor' | 'analyst';
  query: string;
  variables?: string;
}

export const EXAMPLE_TABS: readonly ExampleTab[] = [
  {
    role: 'member',
    query: `# As a member (a signed-in user without app roles):
# register a publisher, then list the publishers you
# belong to. ▶ asks which operation to run.
mutation RegisterPublisher {
  registerPublisher(
    input: {
      companyName: "Contoso China"
      registrationCode: "91350100M000100Y43"
      contact: { name: "Li Lei", telephone: "138 0013 8000", email: "li.lei@contoso.cn" }
    }
  ) {
    position
    publisher { id companyName registrationStatus version }
  }
}

query MyPublishers {
  me {
    id
    roles
    publishers { id companyName registrationStatus version contact { name telephone email } }
  }
}
`,
    // No variables in the first tab: GraphiQL 3 opens the first of its default tabs without them.
  },
  {
    role: 'operator',
    query: `# As an operator: read a publisher waiting for
# review, then approve it (put its id and version,
# from the member's tab, in the variables below).
query PublisherToReview($id: ID!) {
  publisher(id: $id) { id companyName registrationCode registrationStatus version }
}

mutation Approve($input: ReviewPublisherInput!) {
  approvePublisher(input: $input) {
    position
    publisher { id registrationStatus version }
  }
}
`,
    variables: JSON.stringify({ id: '<publisher id>', input: { id: '<publisher id>', expectedVersion: 1 } }, null, 2),
  },
  {
    role: 'auditor',
    query: `# As an auditor: the latest entries of the audit
# trail (who changed which fields, never the values),
# and whether one stream's hash chain holds.
query AuditTrail {
  auditTrail(first: 20) {
    edges { node { type streamId position occurredAt actor { id erased } changedFields } }
    pageInfo { hasNextPage endCursor }
  }
}

query VerifyStream($streamId: String!) {
  verifyIntegrity(streamId: $streamId) { intact eventsChecked }
}
`,
    variables: JSON.stringify({ streamId: 'publisher-<publisher id>' }, null, 2),
  },
  {
    role: 'analyst',
    query: `# As an analyst: counts, and a publisher with every
# personal value masked.
query Counts {
  analytics {
    publishersByStatus { status count }
  }
}

query Masked($id: ID!) {
  maskedPublisher(id: $id) { id companyName registrationStatus registeredAt }
}
`,
    variables: JSON.stringify({ id: '<publisher id>' }, null, 2),
  },
];
