import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/clock.js';
import { LeaseLostError, type LeaseStore } from '../../../src/projections/store/lease.js';
import type { ReadStore } from '../../../src/projections/store/read-store.js';

export interface LeaseFixture {
  /** another lease store on the same storage, as a second worker would open it */
  open(): Promise<LeaseStore>;
  /** a read store on the same storage, whose fenced writes check the leases */
  reads: ReadStore;
  cleanup(): Promise<void>;
}

export type LeaseFactory = (clock: Clock) => Promise<LeaseFixture>;

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2026-11-22T10:00:00Z')) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

const TTL = 10_000;

/** The behaviour every LeaseStore adapter must show. Adapter test files call this with a factory. */
export function leaseContract(adapterName: string, factory: LeaseFactory): void {
  describe(`LeaseStore contract: ${adapterName}`, () => {
    let clock: ReturnType<typeof manualClock>;
    let fixture: LeaseFixture;
    let a: LeaseStore;
    let b: LeaseStore;

    beforeEach(async () => {
      clock = manualClock();
      fixture = await factory(clock);
      [a, b] = [await fixture.open(), await fixture.open()];
    });
    afterEach(async () => {
      await Promise.all([a.close(), b.close()]);
      await fixture.cleanup();
    });

    it('the first worker gets the lease with a token; another gets nothing while it runs', async () => {
      expect(await a.current('p')).toBeNull();
      const grant = await a.acquire('p', 'worker-a', TTL);
      expect(grant).toMatchObject({ name: 'p', holder: 'worker-a', expiresAt: clock.now().getTime() + TTL });
      expect(grant!.token).toBeGreaterThan(0);
      clock.advance(TTL - 1);
      expect(await b.acquire('p', 'worker-b', TTL)).toBeNull();
      expect(await b.current('p')).toEqual(grant);
    });

    it('the holder acquiring again keeps its token and extends the lease', async () => {
      const first = await a.acquire('p', 'worker-a', TTL);
      clock.advance(1000);
      const again = await a.acquire('p', 'worker-a', TTL);
      expect(again).toEqual({ ...first, expiresAt: first!.expiresAt + 1000 });
    });

    it('a renewed lease outlives its first expiry', async () => {
      const grant = await a.acquire('p', 'worker-a', TTL);
      clock.advance(TTL / 2);
      const renewed = await a.renew(grant!, TTL);
      expect(renewed).toEqual({ ...grant, expiresAt: grant!.expiresAt + TTL / 2 });
      clock.advance(TTL / 2 + 1);
      expect(await b.acquire('p', 'worker-b', TTL)).toBeNull();
    });

    it('an expired lease passes to another worker with a greater token, and the old holder cannot renew it', async () => {
      const old = await a.acquire('p', 'worker-a', TTL);
      clock.advance(TTL);
      const taken = await b.acquire('p', 'worker-b', TTL);
      expect(taken?.token).toBeGreaterThan(old!.token);
      expect(await a.renew(old!, TTL)).toBeNull();
      expect(await a.acquire('p', 'worker-a', TTL)).toBeNull();
    });

    it('a lease that ran out while nobody took it is renewed with its token (its holder was held up, not deposed)', async () => {
      const old = await a.acquire('p', 'worker-a', TTL);
      clock.advance(TTL + 1);
      const renewed = await a.renew(old!, TTL);
      expect(renewed).toEqual({ ...old, expiresAt: clock.now().getTime() + TTL });
      expect(await b.acquire('p', 'worker-b', TTL)).toBeNull();
    });

    it('acquiring a lease that ran out gives a new token, even to its last holder', async () => {
      const old = await a.acquire('p', 'worker-a', TTL);
      clock.advance(TTL + 1);
      const again = await a.acquire('p', 'worker-a', TTL);
      expect(again?.token).toBeGreaterThan(old!.token);
      expect(await a.renew(old!, TTL)).toBeNull();
    });

    it('a lease that passed to another worker cannot be renewed by its old holder, even once the other let it go', async () => {
      const old = await a.acquire('p', 'worker-a', TTL);
      clock.advance(TTL);
      const taken = await b.acquire('p', 'worker-b', TTL);
      await b.release(taken!);
      expect(await a.renew(old!, TTL)).toBeNull();
      expect(await a.current('p')).toMatchObject({ holder: 'worker-b', token: taken!.token });
    });

    it('a released lease cannot be renewed', async () => {
      const grant = await a.acquire('p', 'worker-a', TTL);
      await a.release(grant!);
      expect(await a.renew(grant!, TTL)).toBeNull();
      expect(await b.acquire('p', 'worker-b', TTL)).not.toBeNull();
    });

    it('a released lease is free at once, and its tokens never go back', async () => {
      const tokens: number[] = [];
      for (const [store, holder] of [
        [a, 'worker-a'],
        [b, 'worker-b'],
        [a, 'worker-a'],
      ] as const) {
        const grant = await store.acquire('p', holder, TTL);
        expect(grant, holder).not.toBeNull();
        tokens.push(grant!.token);
        await store.release(grant!);
      }
      expect(tokens).toEqual([...tokens].sort((x, y) => x - y));
      expect(new Set(tokens).size).toBe(3);
    });

    it("releasing a lease that was lost leaves the new holder's lease alone", async () => {
      const old = await a.acquire('p', 'worker-a', TTL);
      clock.advance(TTL);
      const taken = await b.acquire('p', 'worker-b', TTL);
      await a.release(old!);
      expect(await a.current('p')).toEqual(taken);
      expect(await a.acquire('p', 'worker-a', TTL)).toBeNull();
    });

    it('of many workers asking at once, exactly one gets the lease', async () => {
      const stores = [a, b, await fixture.open(), await fixture.open()];
      try {
        const grants = await Promise.all(
          stores.flatMap((store, i) => [0, 1].map((j) => store.acquire('p', `worker-${i}-${j}`, TTL))),
        );
        expect(grants.filter((g) => g !== null)).toHaveLength(1);
      } finally {
        await Promise.all(stores.slice(2).map((store) => store.close()));
      }
    });

    it('leases of different projections are independent', async () => {
      expect(await a.acquire('p', 'worker-a', TTL)).not.toBeNull();
      expect(await b.acquire('q', 'worker-b', TTL)).not.toBeNull();
    });

    it('refuses a time to live that is not a positive whole number of milliseconds', async () => {
      for (const ttl of [0, -1, 1.5, Number.NaN])
        await expect(a.acquire('p', 'worker-a', ttl), String(ttl)).rejects.toThrow(/time to live/);
    });

    it("a fenced write lands while its lease holds; a deposed worker's late write is refused and applies nothing", async () => {
      const { reads } = fixture;
      const old = await a.acquire('p', 'worker-a', TTL);
      await reads.write(
        [{ kind: 'upsert', collection: 'things', doc: { id: 't', by: 'a' } }],
        { name: 'p', position: 1 },
        { lease: 'p', token: old!.token },
      );
      clock.advance(TTL);
      const taken = await b.acquire('p', 'worker-b', TTL);
      const late = reads.write(
        [{ kind: 'upsert', collection: 'things', doc: { id: 't', by: 'a, late' } }],
        { name: 'p', position: 2 },
        { lease: 'p', token: old!.token },
      );
      await expect(late).rejects.toThrow(LeaseLostError);
      expect(await reads.get('things', 't')).toEqual({ id: 't', by: 'a' });
      expect(await reads.getCheckpoint('p')).toBe(1);
      await reads.write(
        [{ kind: 'upsert', collection: 'things', doc: { id: 't', by: 'b' } }],
        { name: 'p', position: 2 },
        { lease: 'p', token: taken!.token },
      );
      expect(await reads.get('things', 't')).toEqual({ id: 't', by: 'b' });
      expect(await reads.getCheckpoint('p')).toBe(2);
    });

    it("promoting a staged model refuses the old model's worker its next write; taking the lease back gives the new token", async () => {
      const { reads } = fixture;
      const held = await a.acquire('p', 'worker-a', TTL);
      await reads.write([{ kind: 'upsert', collection: 'things_staged', doc: { id: 't', v: 2 } }], {
        name: 'p:staged',
        position: 3,
      });
      await reads.promote('p', { checkpoint: 'p:staged', collections: [{ staged: 'things_staged', live: 'things' }] });
      await expect(
        reads.write(
          [{ kind: 'upsert', collection: 'things', doc: { id: 't', v: 1 } }],
          { name: 'p', position: 4 },
          { lease: 'p', token: held!.token },
        ),
      ).rejects.toThrow(LeaseLostError);
      expect(await a.renew(held!, TTL)).toBeNull();
      const again = await a.acquire('p', 'worker-a', TTL);
      expect(again!.token).toBeGreaterThan(held!.token);
      await reads.write(
        [{ kind: 'upsert', collection: 'things', doc: { id: 't', v: 3 } }],
        { name: 'p', position: 4 },
        { lease: 'p', token: again!.token },
      );
      expect(await reads.get('things', 't')).toEqual({ id: 't', v: 3 });
    });

    it('promoting a staged model releases the lease: another worker takes it at once', async () => {
      const { reads } = fixture;
      const held = await a.acquire('p', 'worker-a', TTL);
      await reads.write([{ kind: 'upsert', collection: 'things_staged', doc: { id: 't', v: 2 } }], {
        name: 'p:staged',
        position: 3,
      });
      await reads.promote('p', { checkpoint: 'p:staged', collections: [{ staged: 'things_staged', live: 'things' }] });
      await a.release(held!); // the old grant's release finds nothing of its own to let go
      const taken = await b.acquire('p', 'worker-b', TTL);
      expect(taken!.token).toBeGreaterThan(held!.token);
    });

    it('a fenced write for a lease never granted is refused', async () => {
      await expect(fixture.reads.write([], { name: 'p', position: 1 }, { lease: 'p', token: 1 })).rejects.toThrow(
        LeaseLostError,
      );
      expect(await fixture.reads.getCheckpoint('p')).toBeNull();
    });
  });
}
