import { contactListStream, type ContactListEvent } from './contact-list/contact-list.events.js';
import { accessGrantStream, type AccessGrantEvent } from './access-grant/access-grant.events.js';
import type { DomainEvent } from './decider.js';
import { disclosureStream, type DisclosureEvent } from './disclosure/disclosure.events.js';
import type { RecordedEvent } from './store/event-envelope.js';
import { offerStream, type OfferEvent } from './offer/offer.events.js';
import { privacyRequestStream, type PrivacyRequestEvent } from './privacy-request/privacy-request.js';
import { publisherStream, type PublisherEvent } from './publisher/publisher.events.js';
import { registrationCodeStream, type RegistrationCodeEvent } from './registration-code/registration-code.js';
import type { LedgerEventType } from './domain-events.js';
import type { Stored } from './stored-events.js';

/**
 * The recorded events of the ledger, typed by stream family: a publisher's,
 * an offer's, a publisher's privacy request records, the claims on
 * registration codes, a publisher's disclosures and the contact lists, and
 * a publisher's access grants. Narrowing from the
 * untyped `RecordedEvent` happens here and nowhere else.
 */

/** A recorded event as stored (personal values sealed), of one of `E`'s types. */
export type Recorded<E extends DomainEvent> = E extends DomainEvent
  ? Omit<RecordedEvent, 'type' | 'data'> & Stored<E>
  : never;

export interface LedgerFamilies {
  publisher: Recorded<PublisherEvent>;
  offer: Recorded<OfferEvent>;
  privacyRequest: Recorded<PrivacyRequestEvent>;
  registrationCode: Recorded<RegistrationCodeEvent>;
  disclosure: Recorded<DisclosureEvent>;
  contactList: Recorded<ContactListEvent>;
  accessGrant: Recorded<AccessGrantEvent>;
}
export type Family = keyof LedgerFamilies;
export type FamilyEvent<F extends Family> = LedgerFamilies[F];
export type LedgerEvent = LedgerFamilies[Family];

/** Every event type of each family, once (a type missing here, or one that is no event, does not compile). */
const typesOf: { readonly [F in Family]: Readonly<Record<FamilyEvent<F>['type'], true>> } = {
  publisher: {
    PublisherRegistered: true,
    ContactUpdated: true,
    ContactPreferencesChanged: true,
    PublisherApproved: true,
    PublisherRejected: true,
    AadUserAdded: true,
    AadUserRemoved: true,
    PersonalDataErased: true,
    PublisherAccountClosed: true,
  },
  offer: {
    OfferCreated: true,
    OfferCustomerServiceUpdated: true,
    OfferPublished: true,
    OfferDeleted: true,
    PersonalDataErased: true,
  },
  privacyRequest: { PrivacyRequestRecorded: true, PrivacyRequestRecordDeleted: true },
  registrationCode: { RegistrationCodeClaimed: true },
  disclosure: { DisclosureRecorded: true, PersonalDataErased: true },
  contactList: { ContactListProduced: true },
  accessGrant: {
    AccessGrantRequested: true,
    AccessGrantApproved: true,
    AccessGrantRevoked: true,
    AccessGrantUsed: true,
    GranteesForgotten: true,
  },
};

/** For a projection that folds every event of a family: `{ publisher: everyEventOf.publisher }` (a new type is then folded too). */
export const everyEventOf = typesOf;

const streamOf: { readonly [F in Family]: (id: string) => string } = {
  publisher: publisherStream,
  offer: offerStream,
  privacyRequest: privacyRequestStream,
  registrationCode: registrationCodeStream,
  disclosure: disclosureStream,
  contactList: contactListStream,
  accessGrant: accessGrantStream,
};
const families = Object.keys(streamOf) as Family[];
const prefixes = families.map((family) => [family, streamOf[family]('')] as const);

/** The prefix of every stream the ledger writes, one per family (see src/events/ledger-streams.ts). */
export const familyStreamPrefixes: readonly string[] = prefixes.map(([, prefix]) => prefix);

/** Every event type the ledger records, each once, in declaration order (the GraphQL enum of the audit trail). */
export const ledgerEventTypes: readonly LedgerEventType[] = [
  ...new Set(families.flatMap((family) => Object.keys(typesOf[family]) as LedgerEventType[])),
];

/** The family of a stream, by its name; null for a stream the ledger does not write. */
export function familyOf(streamId: string): Family | null {
  return prefixes.find(([, prefix]) => streamId.startsWith(prefix))?.[0] ?? null;
}

/**
 * The event as its family's type. The log holds only what the codec wrote
 * from these very types (older versions are upcast before anyone reads
 * them), so the stream's family and the type's name say what the data
 * is; a type this build does not know is refused rather than misread.
 */
export function asFamilyEvent<F extends Family>(family: F, event: RecordedEvent): FamilyEvent<F> {
  if (!Object.hasOwn(typesOf[family], event.type)) {
    throw new Error(
      `event ${event.streamId}@${event.revision} has type ${event.type}, which this build does not know in a ${family} stream`,
    );
  }
  return event as unknown as FamilyEvent<F>;
}

/** The event typed by its stream's family; null for a stream the ledger does not write. */
export function ledgerEventOf(event: RecordedEvent): LedgerEvent | null {
  const family = familyOf(event.streamId);
  return family && asFamilyEvent(family, event);
}

/**
 * What a projection does with each event type of each family it reads:
 * folds it (true) or leaves it alone (false). Every type of such a family
 * must be named, so a new event type does not compile until each projection
 * that reads its family has decided (declare with `as const satisfies Handles`).
 */
export type Handles = { readonly [F in Family]?: { readonly [T in FamilyEvent<F>['type']]: boolean } };

type Folded<Decisions> = { [T in keyof Decisions]: Decisions[T] extends true ? T : never }[keyof Decisions];

/** The events a projection folds, by its declaration. */
export type HandledEvent<H extends Handles> = {
  [F in Family]: H[F] extends object ? Extract<FamilyEvent<F>, { type: Folded<H[F]> }> : never;
}[Family];

/** The event typed as one the projection folds, or null when it leaves it alone. */
export function handledEvent<H extends Handles>(handles: H, event: RecordedEvent): HandledEvent<H> | null {
  const family = familyOf(event.streamId);
  const decisions: Readonly<Record<string, boolean>> | undefined = family ? handles[family] : undefined;
  if (!family || !decisions) return null;
  const typed = asFamilyEvent(family, event);
  return decisions[typed.type] === true ? (typed as HandledEvent<H>) : null;
}
