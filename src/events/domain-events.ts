import type { AccessGrantEvent } from './access-grant/access-grant.events.js';
import type { ContactListEvent } from './contact-list/contact-list.events.js';
import type { DisclosureEvent } from './disclosure/disclosure.events.js';
import type { OfferEvent } from './offer/offer.events.js';
import type { PrivacyRequestEvent } from './privacy-request/privacy-request.js';
import type { PublisherEvent } from './publisher/publisher.events.js';
import type { RegistrationCodeEvent } from './registration-code/registration-code.js';

/** Every domain event of the ledger, values in clear (as the deciders see them). */
export type LedgerDomainEvent =
  | PublisherEvent
  | OfferEvent
  | PrivacyRequestEvent
  | RegistrationCodeEvent
  | DisclosureEvent
  | ContactListEvent
  | AccessGrantEvent;
export type LedgerEventType = LedgerDomainEvent['type'];
/** The data of an event type (of both families for PersonalDataErased). */
export type DataOf<T extends LedgerEventType> = Extract<LedgerDomainEvent, { type: T }>['data'];

/** Every dotted path into `D`, `*` for the elements of an array (what a declared path may name). */
export type PathsOf<D> = D extends readonly (infer Item)[]
  ? '*' | `*.${PathsOf<Item>}`
  : D extends object
    ? { [K in keyof D & string]-?: K | `${K}.${PathsOf<NonNullable<D[K]>>}` }[keyof D & string]
    : never;
