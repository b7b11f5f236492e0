import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../clock.js';
import { LeaseLostError, type LeaseGrant, type LeaseStore } from '../store/lease.js';
import type { Fence } from '../store/read-store.js';

export interface LeaseSettings {
  store: LeaseStore;
  /** this worker's name in the lease; unique per worker (a restarted worker may reuse its own) */
  holder: string;
  /** how long a lease lasts without renewal (default 15 s): how long a dead worker's projections wait */
  ttlMs?: number;
  /** how often a waiting worker looks whether the lease came free (default 500 ms) */
  standbyPollMs?: number;
  clock?: Clock;
  /**
   * Told when a renewal found the lease run out by `overdueMs` and renewed
   * it (nobody had taken it): this worker's thread was held past the time
   * to live, long enough for a standby worker to have taken over.
   */
  onOverdue?: (lease: string, overdueMs: number) => void;
}

export const DEFAULT_LEASE_TTL_MS = 15_000;

/** `settings` that log a warning when a lease is renewed after it ran out (see LeaseSettings.onOverdue). */
export function warnedWhenOverdue(settings: LeaseSettings | undefined, logger?: Logger): LeaseSettings | undefined {
  return (
    settings && {
      onOverdue: (lease, overdueMs) =>
        logger?.warn(
          { lease, overdueMs },
          'projection lease renewed after it ran out: a step held this thread past its time to live, long enough for a standby worker to take over (raise LEASE_TTL_MS)',
        ),
      ...settings,
    }
  );
}

/**
 * A lease this worker holds, renewed every third of its time to live until
 * released or lost. Lost means: a renewal was refused (another worker took
 * it, even if it let it go since), or renewals failed until the lease
 * expired by this worker's clock. From then on `fence()` throws, so no
 * further write starts, and writes already under way carry the old token,
 * which the store refuses.
 *
 * A thread held past the expiry (a long synchronous step under load: a
 * table dropped with secure_delete, an index built, a big batch) cannot
 * renew meanwhile. It has not lost the lease for that: the first fence (or
 * renewal) after it asks the store, which renews a lease that still has
 * this worker's token (nobody took it), and refuses one that changed hands.
 */
export class HeldLease {
  private timer: NodeJS.Timeout | undefined;
  private ended = false;
  /** the last renewal threw: a loss found after it is the store failing, not another worker */
  private renewalFailing = false;
  /** why the lease was lost, once it was */
  private lost: LeaseLostError | undefined;
  /** the renewal under way, which a fence waits for instead of starting another */
  private renewing: Promise<void> | undefined;

  private constructor(
    private grant: LeaseGrant,
    private readonly settings: LeaseSettings,
    private readonly onLost: (error: LeaseLostError) => void,
  ) {
    this.schedule(this.ttl / 3);
  }

  /** The lease when it is free (or already this worker's), null while another worker holds it. */
  static async take(
    settings: LeaseSettings,
    name: string,
    onLost: (error: LeaseLostError) => void,
  ): Promise<HeldLease | null> {
    const grant = await settings.store.acquire(name, settings.holder, settings.ttlMs ?? DEFAULT_LEASE_TTL_MS);
    return grant ? new HeldLease(grant, settings, onLost) : null;
  }

  private get ttl(): number {
    return this.settings.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  }

  private now(): number {
    return (this.settings.clock ?? systemClock).now().getTime();
  }

  get token(): number {
    return this.grant.token;
  }

  /**
   * What a write carries. Past the expiry by this worker's clock, renews
   * first; throws LeaseLostError once the lease is lost, or it ran out and
   * the store would not renew it.
   */
  async fence(): Promise<Fence> {
    if (!this.ended && this.now() >= this.grant.expiresAt) await this.renewNow();
    if (this.ended || this.now() >= this.grant.expiresAt) throw this.lost ?? new LeaseLostError(this.grant.name);
    return { lease: this.grant.name, token: this.grant.token };
  }

  /**
   * Renews at once, and the timer's renewals go on from here: before a long
   * synchronous step, so that the lease lasts a whole time to live into it
   * and other workers do not see it run out.
   */
  renewNow(): Promise<void> {
    if (this.ended) return Promise.resolve();
    clearTimeout(this.timer);
    return (this.renewing ??= this.renew().finally(() => (this.renewing = undefined)));
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => void this.renewNow(), Math.max(1, Math.floor(delayMs)));
  }

  private async renew(): Promise<void> {
    if (this.ended) return;
    const overdueMs = this.now() - this.grant.expiresAt;
    let renewed: LeaseGrant | null;
    try {
      renewed = await this.settings.store.renew(this.grant, this.ttl);
    } catch {
      // The store is unreachable or cannot write: keep trying while the lease lasts.
      this.renewalFailing = true;
      if (this.ended) return;
      if (this.now() < this.grant.expiresAt) return this.schedule(this.ttl / 6);
      renewed = null;
    }
    if (this.ended) return;
    if (!renewed) {
      // Another worker took the lease, or it ran out here while renewals failed (the store could not be written).
      this.ended = true;
      this.lost = new LeaseLostError(this.grant.name, this.renewalFailing ? 'unrenewable' : 'taken');
      this.onLost(this.lost);
      return;
    }
    this.renewalFailing = false;
    this.grant = renewed;
    if (overdueMs >= 0) this.settings.onOverdue?.(renewed.name, overdueMs);
    this.schedule(this.ttl / 3);
  }

  /** Stops renewing and lets the lease go, so another worker takes over at once. */
  async release(): Promise<void> {
    const wasHeld = !this.ended;
    this.ended = true;
    clearTimeout(this.timer);
    if (wasHeld) await this.settings.store.release(this.grant).catch(() => undefined);
  }
}
