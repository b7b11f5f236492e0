import { declaredField, requesterField, type DataCategory } from '../privacy/classification.js';
import { DATA_CATEGORIES } from '../privacy/data-category.js';
import type { AppRole } from './principal.js';

/**
 * Who may run which operation, and read which personal field, on whose data.
 * The one table: src/auth/authorize.ts enforces it on every root field of
 * the schema (a root field without a row refuses to start), and the README
 * shows the same table (test/auth/role-matrix.e2e.test.ts runs every cell
 * of the README's copy over HTTP).
 *
 * - `yes`: allowed, whatever publisher the operation touches;
 * - `own`: allowed only on a publisher whose AAD accounts include the
 *   principal's object id (read from the publisher's stream on every
 *   request, so a removed account loses access at once);
 * - `grant`: allowed only under an access grant that is active now, names
 *   the principal, the publisher (or the offer) and the data categories the
 *   field or operation shows (src/events/access-grant/; grantScopes and
 *   operationGrantScopes below); without one, FORBIDDEN, as for an analyst,
 *   who reads masked values instead (`maskedPublisher`);
 * - `no`: FORBIDDEN.
 *
 * A principal with app roles is judged by those columns (any that allows is
 * enough); one without, by the `member` column: staff accounts do not act as
 * publisher members.
 */
export type Access = 'yes' | 'own' | 'grant' | 'no';
export type Column = 'member' | AppRole;

/**
 * Which publisher an operation touches, and the argument (a dotted path into
 * the arguments; for a field, into the object it belongs to) that names it:
 * - `publisher`: it names the publisher: a member of another one is FORBIDDEN
 *   (a publisher that does not exist has no members either, so this reveals nothing);
 * - `offer` / `record`: it names an offer or a privacy request record: one
 *   of another publisher is NOT_FOUND, exactly like one that does not exist;
 * - `subject`: a `kind` argument says whether `path` names a publisher or an
 *   offer (the audit history), and each is judged as above;
 * - `none`: it touches no publisher's data.
 */
export type Target = { kind: 'none' } | { kind: 'publisher' | 'offer' | 'record' | 'subject'; path: string };

export interface Permission extends Record<Column, Access> {
  target: Target;
}

const none: Target = { kind: 'none' };
const publisher = (path: string): Target => ({ kind: 'publisher', path });
const offer = (path: string): Target => ({ kind: 'offer', path });
const record = (path: string): Target => ({ kind: 'record', path });
const subject = (path: string): Target => ({ kind: 'subject', path });

/** Every query and mutation. */
export const operationPermissions: Readonly<Record<string, Permission>> = {
  me: { target: none, member: 'yes', operator: 'yes', auditor: 'yes', analyst: 'yes' },
  publisher: { target: publisher('id'), member: 'own', operator: 'yes', auditor: 'yes', analyst: 'yes' },
  offer: { target: offer('id'), member: 'own', operator: 'yes', auditor: 'yes', analyst: 'yes' },
  offers: { target: publisher('publisherId'), member: 'own', operator: 'yes', auditor: 'yes', analyst: 'yes' },
  privacyRequests: { target: publisher('publisherId'), member: 'own', operator: 'yes', auditor: 'yes', analyst: 'no' },
  accessGrants: { target: publisher('publisherId'), member: 'own', operator: 'yes', auditor: 'yes', analyst: 'no' },
  registerPublisher: { target: none, member: 'yes', operator: 'yes', auditor: 'no', analyst: 'no' },
  updatePublisherContact: {
    target: publisher('input.id'),
    member: 'own',
    operator: 'no',
    auditor: 'no',
    analyst: 'no',
  },
  updateContactPreferences: {
    target: publisher('input.id'),
    member: 'own',
    operator: 'no',
    auditor: 'no',
    analyst: 'no',
  },
  addAadUser: { target: publisher('input.id'), member: 'own', operator: 'yes', auditor: 'no', analyst: 'no' },
  removeAadUser: { target: publisher('input.id'), member: 'own', operator: 'yes', auditor: 'no', analyst: 'no' },
  approvePublisher: { target: publisher('input.id'), member: 'no', operator: 'yes', auditor: 'no', analyst: 'no' },
  rejectPublisher: { target: publisher('input.id'), member: 'no', operator: 'yes', auditor: 'no', analyst: 'no' },
  createOffer: { target: publisher('input.publisherId'), member: 'own', operator: 'no', auditor: 'no', analyst: 'no' },
  updateOfferCustomerService: {
    target: offer('input.id'),
    member: 'own',
    operator: 'no',
    auditor: 'no',
    analyst: 'no',
  },
  publishOffer: { target: offer('input.id'), member: 'own', operator: 'no', auditor: 'no', analyst: 'no' },
  deleteOffer: { target: offer('input.id'), member: 'own', operator: 'no', auditor: 'no', analyst: 'no' },
  deletePrivacyRequestRecord: { target: record('id'), member: 'own', operator: 'no', auditor: 'no', analyst: 'no' },
  history: { target: subject('id'), member: 'own', operator: 'grant', auditor: 'yes', analyst: 'no' },
  exportHistory: { target: publisher('publisherId'), member: 'own', operator: 'grant', auditor: 'yes', analyst: 'no' },
  auditTrail: { target: none, member: 'no', operator: 'yes', auditor: 'yes', analyst: 'no' },
  verifyIntegrity: { target: none, member: 'no', operator: 'yes', auditor: 'yes', analyst: 'no' },
  erasePersonalData: {
    target: publisher('input.publisherId'),
    member: 'own',
    operator: 'yes',
    auditor: 'no',
    analyst: 'no',
  },
  closePublisherAccount: {
    target: publisher('input.publisherId'),
    member: 'own',
    operator: 'yes',
    auditor: 'no',
    analyst: 'no',
  },
  exportPersonalData: {
    target: publisher('publisherId'),
    member: 'own',
    operator: 'grant',
    auditor: 'no',
    analyst: 'no',
  },
  analytics: { target: none, member: 'no', operator: 'yes', auditor: 'yes', analyst: 'yes' },
  maskedPublisher: { target: publisher('id'), member: 'own', operator: 'yes', auditor: 'yes', analyst: 'yes' },
  // a member sees only the disclosures whose notice may be given (src/resolvers/disclosure.resolver.ts)
  disclosures: { target: publisher('publisherId'), member: 'own', operator: 'yes', auditor: 'yes', analyst: 'no' },
  recordDisclosure: {
    target: publisher('input.publisherId'),
    member: 'no',
    operator: 'yes',
    auditor: 'no',
    analyst: 'no',
  },
  contactList: { target: none, member: 'no', operator: 'yes', auditor: 'no', analyst: 'no' },
  requestAccessGrant: {
    target: publisher('input.publisherId'),
    member: 'no',
    operator: 'yes',
    auditor: 'no',
    analyst: 'no',
  },
  approveAccessGrant: {
    target: publisher('input.publisherId'),
    member: 'no',
    operator: 'yes',
    auditor: 'no',
    analyst: 'no',
  },
  revokeAccessGrant: {
    target: publisher('input.publisherId'),
    member: 'no',
    operator: 'yes',
    auditor: 'no',
    analyst: 'no',
  },
};

/**
 * Fields that hold personal data, keyed `Type.field`; the publisher is found
 * from the object the field belongs to. Analysts read everything else.
 */
export const fieldPermissions: Readonly<Record<string, Permission>> = {
  'Publisher.contact': { target: publisher('id'), member: 'own', operator: 'grant', auditor: 'yes', analyst: 'no' },
  'Publisher.aadUsers': { target: publisher('id'), member: 'own', operator: 'grant', auditor: 'yes', analyst: 'no' },
  'Offer.supportContacts': {
    target: publisher('publisherId'),
    member: 'own',
    operator: 'grant',
    auditor: 'yes',
    analyst: 'no',
  },
  'PrivacyRequestRecord.requestedBy': {
    target: publisher('publisherId'),
    member: 'own',
    operator: 'grant',
    auditor: 'yes',
    analyst: 'no',
  },
};

/**
 * What a grant must cover for each personal field: the field's data
 * category, from the one classification (src/privacy/classification.ts),
 * and, for an offer's field, the property that names the offer (a grant
 * may be limited to one offer).
 */
export interface GrantScope {
  category: DataCategory;
  offerIdFrom?: string;
}

export const grantScopes: Readonly<Record<string, GrantScope>> = {
  'Publisher.contact': { category: declaredField('contact person name').category },
  'Publisher.aadUsers': { category: declaredField('AAD account display name').category },
  'Offer.supportContacts': { category: declaredField('customer-service name').category, offerIdFrom: 'id' },
  'PrivacyRequestRecord.requestedBy': { category: requesterField.category },
};

/**
 * What a grant must cover for an operation whose cell is `grant`: every
 * category of what it shows, from its arguments. A publisher's history
 * shows administrator data, an offer's customer data (a grant limited to
 * that offer will do); an export shows every category.
 */
export const operationGrantScopes: Readonly<
  Record<string, (args: Record<string, unknown>) => readonly DataCategory[]>
> = {
  history: (args) => (args['kind'] === 'PUBLISHER' ? ['administrator'] : ['customer']),
  exportHistory: () => DATA_CATEGORIES,
  exportPersonalData: () => DATA_CATEGORIES,
};
