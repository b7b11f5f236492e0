/**
 * The projection lease port: with several projection workers, exactly one
 * runs each projection. A lease is named after its projection and lives in
 * the same store as the read models (SQLite: the read-model file; MongoDB:
 * the read-model database), so that a read store write can check the
 * lease's fencing token in its own transaction (ReadStore.write's fence).
 *
 * Adapters: SQLite, MongoDB. Every adapter passes
 * test/projections/store/lease.contract.ts.
 *
 * Rules a holder follows (ProjectionRunner does, ../runner/held-lease.ts):
 * - renew well before `expiresAt` (a third of the time to live);
 * - once `expiresAt` has passed by its own clock (its thread was held past
 *   the renewal), renew before writing again; once a renewal is refused,
 *   stop writing: the lease is lost, and another worker may hold it already;
 * - send the token with every write, so that a write which was already in
 *   flight when the lease was lost is refused by the store.
 *
 * Expiry compares instants from each worker's clock, so workers' clocks
 * must agree to well within the time to live (NTP); fencing keeps the read
 * models correct even when they do not.
 */
export interface LeaseGrant {
  name: string;
  holder: string;
  /** grows by one each time the lease passes to a new holder, and never goes back */
  token: number;
  /** milliseconds since the epoch */
  expiresAt: number;
}

export interface LeaseStore {
  /**
   * Takes the lease when it is free, expired or released, with a token
   * greater than every token granted before; a holder that still holds it
   * gets it renewed with the same token. null while another holder's lease
   * runs.
   */
  acquire(name: string, holder: string, ttlMs: number): Promise<LeaseGrant | null>;
  /**
   * Extends a lease that still has this holder and token and was not
   * released; null when it is lost. One that ran out meanwhile is renewed
   * too: nobody took it, since every other taker gets a new token.
   */
  renew(grant: LeaseGrant, ttlMs: number): Promise<LeaseGrant | null>;
  /** Lets the lease go at once (the token stays, so the next one is greater); a lost lease is left alone. */
  release(grant: LeaseGrant): Promise<void>;
  /** The lease as it stands, or null if it was never taken. */
  current(name: string): Promise<LeaseGrant | null>;
  close(): Promise<void>;
}

/**
 * The expiry of a released lease: before every clock's now. A promoted
 * staged model (ReadStore.promote) releases its projection's lease too:
 * its holder's grant is void from then on, and nobody else must wait for it.
 */
export const RELEASED = 0;

/**
 * A write or a renewal by a holder that no longer holds the lease: taken by
 * another worker, or run out while its store could not be written (a full
 * disk), which the log must not blame on another worker.
 */
export class LeaseLostError extends Error {
  constructor(
    readonly lease: string,
    readonly why: 'taken' | 'unrenewable' = 'taken',
  ) {
    super(
      why === 'taken'
        ? `the lease of "${lease}" was lost to another worker; this worker stopped writing`
        : `the lease of "${lease}" ran out while the lease store could not be written (disk full or I/O error); this worker stopped writing until it can`,
    );
    this.name = 'LeaseLostError';
  }
}

/** Every adapter refuses a time to live that is not a positive whole number of milliseconds. */
export function checkTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0)
    throw new Error('a lease needs a time to live of a whole number of milliseconds above zero');
}
