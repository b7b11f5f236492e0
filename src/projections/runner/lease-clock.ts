import type { Clock } from '../../clock.js';

/**
 * Tests only (LedgerOptions.leaseClock): the clock the projection leases
 * run by, the system's plus an offset that a test moves forward, kept in
 * shared memory so that the projection thread's leases read the same time
 * as the test that moves it. Moving it past the time to live is what a
 * thread held that long (or a worker's clock running ahead) does to a
 * lease: its holder must renew it, or another worker may take it. The
 * time still runs, so renewals and standby polls go on as in production.
 */
export class LeaseClock implements Clock {
  private readonly offset: BigInt64Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(8)) {
    this.offset = new BigInt64Array(buffer);
  }

  now(): Date {
    return new Date(Date.now() + Number(Atomics.load(this.offset, 0)));
  }

  /** Moves this clock `ms` ahead, in every thread that reads it. */
  jump(ms: number): void {
    Atomics.add(this.offset, 0, BigInt(Math.trunc(ms)));
  }
}
