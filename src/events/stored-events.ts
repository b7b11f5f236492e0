import type { DeclaredPaths } from '../privacy/event-data-fields.js';
import type { PersonalValue } from '../privacy/personal-value.js';
import type { AccessGrantEvent } from './access-grant/access-grant.events.js';
import type { ContactListEvent } from './contact-list/contact-list.events.js';
import type { DomainEvent } from './decider.js';
import type { DisclosureEvent } from './disclosure/disclosure.events.js';
import type { OfferEvent } from './offer/offer.events.js';
import type { PrivacyRequestEvent } from './privacy-request/privacy-request.js';
import type { PublisherEvent } from './publisher/publisher.events.js';

/**
 * Events as the log stores them, in types. The codec seals each personal
 * value declared in src/privacy/event-data-fields.ts; `Stored<E>` says so in
 * E's type, from that same declaration: each declared field is a
 * `PersonalValue`, every other field is as the domain event has it. The
 * on-disk format is untouched: this is a type of the same JSON.
 */

type Rest<Paths extends string, Head extends string> = Paths extends `${Head}.${infer Tail}` ? Tail : never;

/** `D` with the value at each of `Paths` sealed (optional stays optional). */
export type Sealed<D, Paths extends string> = [Paths] extends [never]
  ? D
  : D extends readonly (infer Item)[]
    ? Sealed<Item, Rest<Paths, '*'>>[]
    : D extends object
      ? {
          [K in keyof D]: K extends Paths
            ? PersonalValue | Extract<D[K], undefined>
            : Sealed<D[K], Rest<Paths, K & string>>;
        }
      : D;

/** An event as stored: its declared personal values sealed. */
export type Stored<E extends DomainEvent> =
  E extends DomainEvent<infer Type, infer Data> ? DomainEvent<Type, Sealed<Data, DeclaredPaths<Type>>> : never;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * Proof, when compiling, that the declaration and the domain types agree: a
 * field declared personal is one the domain holds as `P`, and every `P` is
 * declared (else it would be stored in clear). Evolve is generic in `P`, so
 * the read models fold stored events with the deciders' own evolve.
 */
export const classificationMatchesDomain: [
  Same<Stored<PublisherEvent>, PublisherEvent<PersonalValue>>,
  Same<Stored<OfferEvent>, OfferEvent<PersonalValue>>,
  Same<Stored<PrivacyRequestEvent>, PrivacyRequestEvent>,
  Same<Stored<DisclosureEvent>, DisclosureEvent<PersonalValue>>,
  Same<Stored<ContactListEvent>, ContactListEvent>,
  Same<Stored<AccessGrantEvent>, AccessGrantEvent>,
] = [true, true, true, true, true, true];
