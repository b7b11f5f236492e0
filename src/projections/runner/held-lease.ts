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
}

export const DEFAULT_LEASE_TTL_MS = 15_000;

/**
 * A lease this worker holds, renewed every third of its time to live until
 * released or lost. Lost means: a renewal was refused (another worker took
 * it), or renewals failed until the lease expired by this worker's clock.
 * From then on `fence()` throws, so no further write starts, and writes
 * already under way carry the old token, which the store refuses.
 */
export class HeldLease {
  private timer: NodeJS.Timeout | undefined;
  private ended = false;
  /** the last renewal threw: a loss found after it is the store failing, not another worker */
  private renewalFailing = false;

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

  /** What a write carries; throws LeaseLostError once the lease is lost or has run out. */
  fence(): Fence {
    if (this.ended || this.now() >= this.grant.expiresAt) throw new LeaseLostError(this.grant.name);
    return { lease: this.grant.name, token: this.grant.token };
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => void this.renew(), Math.max(1, Math.floor(delayMs)));
  }

  private async renew(): Promise<void> {
    if (this.ended) return;
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
      // After failed renewals the lease ran out here (a renewal past expiry matches nothing and writes nothing).
      this.ended = true;
      this.onLost(new LeaseLostError(this.grant.name, this.renewalFailing ? 'unrenewable' : 'taken'));
      return;
    }
    this.renewalFailing = false;
    this.grant = renewed;
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
