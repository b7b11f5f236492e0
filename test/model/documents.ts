/** The GraphQL documents a history sends: every mutation, and the reads the invariants compare with the model. */

export const PUBLISHER_FIELDS = `id companyName registrationCode registrationStatus rejectionReason version
  contact { name telephone email erased }
  contactPreferences { aboutOffers aboutFeedback byEmail byPhone }
  aadUsers { accountId objectId userPrincipalName displayName erased }`;

export const OFFER_FIELDS = `id publisherId name kind status version supportContacts { name telephone email qq wechat weibo erased }`;

const publisherMutation = (name: string, input: string) =>
  `mutation ($input: ${input}!) { ${name}(input: $input) { version position publisher { id version aadUsers { accountId objectId } } } }`;
const offerMutation = (name: string, input: string) =>
  `mutation ($input: ${input}!) { ${name}(input: $input) { version position offer { id version } } }`;
const erasureMutation = (name: string, input: string) =>
  `mutation ($input: ${input}!) { ${name}(input: $input) { subjects erasedCount position } }`;

export const MUTATIONS = {
  registerPublisher: publisherMutation('registerPublisher', 'RegisterPublisherInput'),
  updatePublisherContact: publisherMutation('updatePublisherContact', 'UpdatePublisherContactInput'),
  updateContactPreferences: publisherMutation('updateContactPreferences', 'UpdateContactPreferencesInput'),
  approvePublisher: publisherMutation('approvePublisher', 'ReviewPublisherInput'),
  rejectPublisher: publisherMutation('rejectPublisher', 'ReviewPublisherInput'),
  addAadUser: publisherMutation('addAadUser', 'AddAadUserInput'),
  removeAadUser: publisherMutation('removeAadUser', 'RemoveAadUserInput'),
  createOffer: offerMutation('createOffer', 'CreateOfferInput'),
  updateOfferCustomerService: offerMutation('updateOfferCustomerService', 'UpdateOfferCustomerServiceInput'),
  publishOffer: offerMutation('publishOffer', 'OfferChangeInput'),
  deleteOffer: offerMutation('deleteOffer', 'OfferChangeInput'),
  erasePersonalData: erasureMutation('erasePersonalData', 'ErasePersonalDataInput'),
  closePublisherAccount: erasureMutation('closePublisherAccount', 'ClosePublisherAccountInput'),
  recordDisclosure: `mutation ($input: RecordDisclosureInput!) { recordDisclosure(input: $input) { id position } }`,
  contactList: `mutation ($purpose: ContactPurpose!, $channel: ContactChannel!) { contactList(purpose: $purpose, channel: $channel) { publisherCount position entries { publisherId value } } }`,
  deletePrivacyRequestRecord: `mutation ($id: ID!, $idempotencyKey: String) { deletePrivacyRequestRecord(id: $id, idempotencyKey: $idempotencyKey) { id position } }`,
  requestAccessGrant: `mutation ($input: RequestAccessGrantInput!) { requestAccessGrant(input: $input) { position grant { id status emergency endsAt } } }`,
} as const;

export type MutationName = keyof typeof MUTATIONS;

/**
 * A mutation as a retry sends it: without the payload's personal fields,
 * which the principal may no longer read (a registrant retrying after the
 * account was closed), so that the answer is the first attempt's.
 */
export const retryDocument = (name: MutationName): string =>
  MUTATIONS[name].replace(' aadUsers { accountId objectId }', '');

export const READS = {
  publisher: `query ($id: ID!, $minPosition: String) { publisher(id: $id, minPosition: $minPosition) { ${PUBLISHER_FIELDS} } }`,
  publisherAsOf: `query ($id: ID!, $asOf: String) { publisher(id: $id, asOf: $asOf) { ${PUBLISHER_FIELDS} } }`,
  offer: `query ($id: ID!) { offer(id: $id) { ${OFFER_FIELDS} } }`,
  /** two a page: the histories' lists run over several pages */
  offers: `query ($id: ID!, $after: String) { offers(publisherId: $id, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${OFFER_FIELDS} } } } }`,
  privacyRequests: `query ($id: ID!, $after: String) { privacyRequests(publisherId: $id, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor } edges { node { id kind target requestedAt requestedBy requestedByErased } } } }`,
  analytics: `{ analytics { publishersByStatus { status count } offersByKindAndStatus { kind status count } } }`,
  changesPerDay: `query ($day: String!) { analytics { changesPerDay(from: $day, to: $day) { day changes erasures disclosures contactLists accessGrants emergencyAccesses } } }`,
  me: `{ me { id publishers { id } } }`,
  history: `query ($kind: HistorySubjectKind!, $id: ID!, $after: String) { history(kind: $kind, id: $id, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor } edges { node { eventType occurredAt actor { id kind role } changes { field before after beforeErased afterErased } } } } }`,
  verifyIntegrity: `query ($streamId: String!) { verifyIntegrity(streamId: $streamId) { intact eventsChecked firstBreak { kind revision } } }`,
  exportPersonalData: `query ($id: ID!) { exportPersonalData(publisherId: $id) }`,
  disclosures: `query ($id: ID!, $after: String) { disclosures(publisherId: $id, first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id recipient { name erased } } } } }`,
  masked: `query ($id: ID!) { maskedPublisher(id: $id) { id registrationStatus contact { name telephone email } aadUsers { objectId userPrincipalName displayName }
    offers { id status supportContacts { name telephone email qq wechat weibo } } } }`,
  exportHistory: `query ($id: ID!) { exportHistory(publisherId: $id, format: JSONL) }`,
  auditTrail: `query ($after: String) { auditTrail(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { type streamId actor { id kind role } } } } }`,
} as const;

/**
 * One cheap request per query of the README's permission table, for the
 * permission probes: `p` a publisher id, `o` an offer id (or a publisher id
 * where the operation names none).
 */
export const PROBES: Readonly<Record<string, { query: string; names: 'publisher' | 'offer' | 'none' }>> = {
  me: { query: `{ me { id } }`, names: 'none' },
  publisher: { query: `query ($p: ID!) { publisher(id: $p) { id } }`, names: 'publisher' },
  offer: { query: `query ($o: ID!) { offer(id: $o) { id } }`, names: 'offer' },
  offers: { query: `query ($p: ID!) { offers(publisherId: $p, first: 1) { totalCount } }`, names: 'publisher' },
  privacyRequests: {
    query: `query ($p: ID!) { privacyRequests(publisherId: $p, first: 1) { totalCount } }`,
    names: 'publisher',
  },
  history: {
    query: `query ($p: ID!) { history(kind: PUBLISHER, id: $p, first: 1) { totalCount } }`,
    names: 'publisher',
  },
  auditTrail: { query: `{ auditTrail(first: 1) { pageInfo { hasNextPage } } }`, names: 'none' },
  verifyIntegrity: { query: `query ($p: String!) { verifyIntegrity(streamId: $p) { intact } }`, names: 'none' },
  analytics: { query: `{ analytics { publishersByStatus { count } } }`, names: 'none' },
  maskedPublisher: { query: `query ($p: ID!) { maskedPublisher(id: $p) { id } }`, names: 'publisher' },
  disclosures: {
    query: `query ($p: ID!) { disclosures(publisherId: $p, first: 1) { totalCount } }`,
    names: 'publisher',
  },
};
