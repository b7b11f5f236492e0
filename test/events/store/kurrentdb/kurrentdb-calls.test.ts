import { describe, expect, it } from 'vitest';
import { connectionStringProblem } from '../../../../src/events/store/kurrentdb/connection-string.js';
import { collect, positionsOfWrite, retryableRead } from '../../../../src/events/store/kurrentdb/kurrentdb-calls.js';
import { kurrent } from '../../../../src/events/store/kurrentdb/kurrentdb-client.js';
import { KurrentDbEventStore } from '../../../../src/events/store/kurrentdb/kurrentdb-event-store.js';
import type { RecordedEvent } from '../../../../src/events/store/event-envelope.js';
import { newEvent } from '../event-store.contract.js';

// What the client reports, as its own error classes; no server involved.
const serviceError = (code: number, metadata: Record<string, string> = {}) =>
  Object.assign(new Error('from the server'), { code, details: 'from the server', metadata }) as never;

describe('KurrentDB calls', () => {
  it('a stream-head read is sent again after NotLeader, Unavailable or no answer in time, never after a refusal', () => {
    const client = kurrent();
    expect(
      retryableRead(
        new client.NotLeaderError(serviceError(5, { 'leader-endpoint-host': 'node2', 'leader-endpoint-port': '2113' })),
      ),
    ).toBe(true);
    expect(retryableRead(new client.UnavailableError(serviceError(14)))).toBe(true);
    expect(retryableRead(new client.DeadlineExceededError(serviceError(4)))).toBe(true);
    expect(retryableRead(new client.AccessDeniedError(serviceError(7)))).toBe(false);
    expect(retryableRead(new Error('anything else'))).toBe(false);
  });

  it('a read that receives nothing for its idle time fails with a deadline error instead of hanging', async () => {
    const never: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<number>>(() => {}) }),
    };
    const started = Date.now();
    await expect(collect(never, 100)).rejects.toMatchObject({ type: 'deadline-exceeded' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a read that keeps delivering is not cut short by the idle time', async () => {
    async function* slow() {
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 30));
        yield i;
      }
    }
    expect(await collect(slow(), 80)).toEqual([0, 1, 2, 3, 4]);
  });

  it("an append's events take their positions from the append's answer; a failed read of the earlier ones does not fail the append", () => {
    const recorded = [1, 2, 3].map((n, i) => ({
      ...newEvent(n),
      streamId: 's',
      revision: i,
      position: 0,
      prevHash: '',
      hash: '',
    })) as RecordedEvent[];
    const readBack = recorded.map((event, i) => ({ ...event, position: 100 + i * 10 }));
    expect(positionsOfWrite(recorded, 120, readBack).map((e) => e.position)).toEqual([100, 110, 120]);
    expect(positionsOfWrite(recorded, 120, undefined).map((e) => e.position)).toEqual([120, 120, 120]);
    expect(positionsOfWrite(recorded, 120, readBack.slice(1)).map((e) => e.position)).toEqual([120, 120, 120]);
    expect(positionsOfWrite(recorded.slice(0, 1), 90, undefined).map((e) => e.position)).toEqual([90]);
  });

  it('throwOnAppendFailure=false is refused: the client would then report a wrong actual revision', () => {
    expect(connectionStringProblem('kurrentdb://node1:2113?tls=true&throwOnAppendFailure=false')).toMatch(
      /throwOnAppendFailure/,
    );
    expect(connectionStringProblem('kurrentdb://node1:2113?THROWONAPPENDFAILURE=False')).toMatch(
      /throwOnAppendFailure/,
    );
    expect(connectionStringProblem('kurrentdb://node1:2113?throwOnAppendFailure=true')).toBeUndefined();
    expect(() =>
      KurrentDbEventStore.open('kurrentdb://admin:s3cret@node1:2113?throwOnAppendFailure=false', {
        streamPrefixes: ['test-'],
      }),
    ).toThrow(/connection string sets throwOnAppendFailure/);
  });
});
