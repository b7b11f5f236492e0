import { assertNever } from '../../assert-never.js';
import type { DomainEvent } from '../decider.js';

/** The publisher aggregate: its events, its state and how events fold into it. */

export const publisherStream = (publisherId: string): string => `publisher-${publisherId}`;

export interface ContactDetails {
  name: string;
  /** E.164 */
  telephone: string;
  /** trimmed, lower-cased */
  email: string;
}

export type PublisherRegistered = DomainEvent<
  'PublisherRegistered',
  {
    publisherId: string;
    companyName: string;
    contact: ContactDetails;
    registeredAt: string;
  }
>;

/** Carries only the fields that changed. */
export type ContactUpdated = DomainEvent<
  'ContactUpdated',
  {
    publisherId: string;
    companyName?: string;
    contact?: Partial<ContactDetails>;
    updatedAt: string;
  }
>;

export type PublisherEvent = PublisherRegistered | ContactUpdated;

export type PublisherState =
  | { status: 'unregistered' }
  | {
      status: 'registered';
      id: string;
      companyName: string;
      contact: ContactDetails;
      registeredAt: string;
      updatedAt: string;
    };

export const initialPublisherState: PublisherState = { status: 'unregistered' };

export function evolvePublisher(state: PublisherState, event: PublisherEvent): PublisherState {
  switch (event.type) {
    case 'PublisherRegistered':
      return {
        status: 'registered',
        id: event.data.publisherId,
        companyName: event.data.companyName,
        contact: { ...event.data.contact },
        registeredAt: event.data.registeredAt,
        updatedAt: event.data.registeredAt,
      };
    case 'ContactUpdated':
      if (state.status !== 'registered') return state;
      return {
        ...state,
        companyName: event.data.companyName ?? state.companyName,
        contact: { ...state.contact, ...event.data.contact },
        updatedAt: event.data.updatedAt,
      };
    default:
      return assertNever(event);
  }
}
