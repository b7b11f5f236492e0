import { assertNever } from '../../assert-never.js';
import { ValidationError } from '../../errors.js';
import type { Decider, DomainEvent } from '../decider.js';
import type { PublisherState } from '../publisher/publisher.events.js';

/**
 * One legal entity, one publisher: a Unified Social Credit Code is claimed
 * by the publisher that registers with it, in stream
 * `registration-<normalised code>`, before the registration itself. The
 * first claim is appended expecting no stream, each later one expecting the
 * revision read, so of two registrations racing for a code exactly one
 * claims it. The code is a legal entity's public id, not personal data
 * (src/privacy/classification.ts does not declare it), so it may name a
 * stream.
 *
 * A claim holds while its publisher holds the code: PENDING, APPROVED, and
 * REJECTED too, since a rejected registration may still be approved on
 * review. It lapses, and the code is free for a new registration, once
 * that publisher is CLOSED (final: its account accepts no change, so no
 * race can revive it), or when the registration that claimed it never
 * happened (see CLAIM_COMPLETES_WITHIN_MS).
 */
export const registrationCodeStream = (registrationCode: string): string => `registration-${registrationCode}`;

export type RegistrationCodeClaimed = DomainEvent<
  'RegistrationCodeClaimed',
  { registrationCode: string; publisherId: string; claimedAt: string }
>;

export type RegistrationCodeEvent = RegistrationCodeClaimed;

export type RegistrationCodeState = { holder: { publisherId: string; claimedAt: string } | null };

export type ClaimRegistrationCode = {
  type: 'ClaimRegistrationCode';
  data: {
    registrationCode: string;
    publisherId: string;
    /** whether the current holder's claim has lapsed (holderLapsed below), as the caller found it */
    holderLapsed: boolean;
    now: string;
  };
};

/**
 * How long a claim waits for its registration: the two appends are
 * milliseconds apart, so a claim whose publisher is still unregistered
 * after this is left from a registration that failed or crashed in between.
 */
export const CLAIM_COMPLETES_WITHIN_MS = 60_000;

/** The refusal names the field and the rule, never the code nor the publisher that holds it. */
export const CODE_TAKEN = 'must be unique: a publisher is already registered with this code';

/** Whether the holder's claim on `registrationCode` has lapsed at instant `now`, given the holder's publisher state then. */
export function holderLapsed(
  registrationCode: string,
  holder: NonNullable<RegistrationCodeState['holder']>,
  publisher: PublisherState,
  now: string,
): boolean {
  if (publisher.status === 'unregistered')
    return Date.parse(now) - Date.parse(holder.claimedAt) > CLAIM_COMPLETES_WITHIN_MS;
  // registered with another code: a claim left by a registration that lost the race for its publisher id
  if (publisher.registrationCode !== registrationCode) return true;
  switch (publisher.registrationStatus) {
    case 'PENDING':
    case 'APPROVED':
    case 'REJECTED':
      return false;
    case 'CLOSED':
      return true;
    default:
      return assertNever(publisher.registrationStatus);
  }
}

export const registrationCodeDecider: Decider<ClaimRegistrationCode, RegistrationCodeEvent, RegistrationCodeState> = {
  initialState: { holder: null },
  decide(command, state) {
    const { registrationCode, publisherId, now } = command.data;
    if (state.holder?.publisherId === publisherId) return []; // a retry of the same registration
    if (state.holder && !command.data.holderLapsed) throw new ValidationError('registrationCode', CODE_TAKEN);
    return [{ type: 'RegistrationCodeClaimed', data: { registrationCode, publisherId, claimedAt: now } }];
  },
  evolve(_state, event) {
    switch (event.type) {
      case 'RegistrationCodeClaimed':
        return { holder: { publisherId: event.data.publisherId, claimedAt: event.data.claimedAt } };
      default:
        return assertNever(event.type);
    }
  },
};
