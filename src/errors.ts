import type { ErrorCode } from './error-codes.js';

/**
 * The few error classes the domain and the adapters raise. Each carries a
 * stable code (src/error-codes.ts); the GraphQL layer turns the code into
 * `extensions.code` and anything that is not one of these into a generic
 * INTERNAL_SERVER_ERROR.
 *
 * Messages must never contain personal data: name the field and the rule,
 * never the value.
 */

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  /** Extra machine-readable details for clients (never personal data). */
  readonly details: Record<string, unknown>;

  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

/** One field and the rule it breaks. */
export interface InvalidField {
  field: string;
  rule: string;
}

/**
 * Input that breaks a rule; names the field and the rule, never the value.
 * When several fields of one request are invalid, one error names them all
 * (`invalid`, in input order; `field` and `rule` are the first), so a client
 * fixes a form in one round trip (see ValidationError.of).
 */
export class ValidationError extends DomainError {
  readonly code = 'BAD_USER_INPUT' as const;
  constructor(
    readonly field: string,
    readonly rule: string,
    readonly invalid: readonly InvalidField[] = [{ field, rule }],
  ) {
    super(
      invalid.map((i) => `${i.field}: ${i.rule}`).join('; '),
      invalid.length > 1 ? { field, rule, invalid } : { field, rule },
    );
  }

  /** One error for several (nested lists flattened). */
  static of(errors: readonly ValidationError[]): ValidationError {
    if (errors.length === 1) return errors[0]!;
    const invalid = errors.flatMap((error) => error.invalid);
    return new ValidationError(invalid[0]!.field, invalid[0]!.rule, invalid);
  }
}

/**
 * Runs every check, even after one fails, so that one answer names every
 * invalid field of a request; returns the checked values by name.
 */
export function validateAll<T extends Record<string, unknown>>(checks: { [K in keyof T]: () => T[K] }): T {
  const valid: Partial<T> = {};
  const failed: ValidationError[] = [];
  for (const key of Object.keys(checks) as (keyof T)[]) {
    try {
      valid[key] = checks[key]();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      failed.push(error);
    }
  }
  if (failed.length > 0) throw ValidationError.of(failed);
  return valid as T;
}

/**
 * A command that the current state of the aggregate does not allow: names
 * the input field it concerns and the rule, as a ValidationError does.
 */
export class IllegalStateError extends DomainError {
  readonly code = 'BAD_USER_INPUT' as const;
  constructor(
    readonly field: string,
    readonly rule: string,
    message = `${field} ${rule}`,
  ) {
    super(message, { field, rule });
  }
}

/** A create naming an id that is taken: told only to a caller who may see its holder (src/auth/foreign-id.ts). */
export class IdTakenError extends IllegalStateError {
  constructor(
    rule: string,
    message: string,
    /** the publisher that holds the id (itself, for a publisher id): whose members may be told; never sent to the client */
    readonly holder: string,
  ) {
    super('id', rule, message);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND' as const;
  /** Leave `id` out when the id itself is personal data (an AAD object id). */
  constructor(what: string, id?: string) {
    super(
      id === undefined ? `${what} was not found` : `${what} ${id} was not found`,
      id === undefined ? { what } : { what, id },
    );
  }
}

/** Optimistic concurrency: the stream moved on since the client read it. */
export class ConcurrencyError extends DomainError {
  readonly code = 'CONFLICT' as const;
  constructor(
    readonly streamId: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`stream ${streamId} is at ${actual}, the change expected ${expected}`, {
      streamId,
      expected,
      actual,
    });
  }
}

/** Why a token was refused: for the server's log (and counts), never for the caller. */
export type TokenRefusal =
  | 'missing'
  | 'not_bearer'
  | 'malformed'
  | 'algorithm_not_allowed'
  | 'unknown_key'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'no_expiry'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'invalid_claim'
  | 'lifetime_too_long'
  | 'issued_in_future'
  | 'no_oid';

/**
 * No valid bearer token. One message for every reason (missing, expired,
 * forged, wrong issuer or audience...), so a caller learns nothing about
 * which check failed; `reason` says which, for the server's log only (it is
 * not among the details that reach the client).
 */
export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED' as const;
  constructor(readonly reason: TokenRefusal = 'malformed') {
    super('A valid bearer token is required');
  }
}

/** The principal may not run this operation (or read this field). */
export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN' as const;
  constructor(operation: string) {
    super(`not allowed: ${operation}`, { operation });
  }
}

/** A bounded wait (read-your-writes) ran out before the condition held. */
export class TimeoutError extends DomainError {
  readonly code = 'TIMEOUT' as const;
}
