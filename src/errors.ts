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

/** A create naming an id that is taken: told only to a caller who may see its holder (src/auth/foreign-id.ts). */
export class IdTakenError extends IllegalStateError {}

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

/**
 * No valid bearer token. One message for every reason (missing, expired,
 * forged, wrong issuer or audience...), so a caller learns nothing about
 * which check failed.
 */
export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED' as const;
  constructor() {
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
