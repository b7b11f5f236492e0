/**
 * The few error classes the domain and the adapters raise. Each carries a
 * stable code; the GraphQL layer turns the code into `extensions.code` and
 * anything that is not one of these into a generic INTERNAL_SERVER_ERROR.
 *
 * Messages must never contain personal data: name the field and the rule,
 * never the value.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'TIMEOUT';

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

/** Input that breaks a rule; names the field and the rule, never the value. */
export class ValidationError extends DomainError {
  readonly code = 'BAD_USER_INPUT' as const;
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${field}: ${rule}`, { field, rule });
  }
}

/** A command that the current state of the aggregate does not allow. */
export class IllegalStateError extends DomainError {
  readonly code = 'BAD_USER_INPUT' as const;
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND' as const;
  /** Leave `id` out when the id itself is personal data (an AAD object id). */
  constructor(what: string, id?: string) {
    super(id === undefined ? `${what} was not found` : `${what} ${id} was not found`, id === undefined ? { what } : { what, id });
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
