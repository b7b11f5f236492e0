import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RecordedEvent } from '../../../../src/events/store/event-envelope.js';
import { SqliteSubscription } from '../../../../src/events/store/sqlite/sqlite-subscription.js';

/** A log of positions only: what a subscription reads is all it needs here. */
function log() {
  const events: RecordedEvent[] = [];
  let reads = 0;
  return {
    append: () => events.push({ position: events.length + 1 } as RecordedEvent),
    readAfter: (position: number, maxCount: number) => {
      reads++;
      return events.filter((e) => e.position > position).slice(0, maxCount);
    },
    get reads() {
      return reads;
    },
  };
}

describe('SqliteSubscription', () => {
  let subscription: SqliteSubscription | undefined;
  afterEach(async () => {
    await subscription?.close();
    vi.useRealTimers();
  });

  it('polls only when nothing woke it for a poll interval: a subscription woken often reads once per wake', async () => {
    // The poll timer on a fake clock: on a busy machine a real one can fire (or be refreshed away) at any gap.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const source = log();
    const batches: number[][] = [];
    subscription = new SqliteSubscription(
      source.readAfter,
      { fromPosition: 0 },
      { onEvents: (b) => void batches.push(b.map((e) => e.position)) },
      400,
      () => undefined,
    );
    const wakes = 12;
    for (let i = 0; i < wakes; i++) {
      source.append();
      subscription.wake();
      await vi.advanceTimersByTimeAsync(50);
    }
    // 600 ms of wakes 50 ms apart: a timer running regardless of them would have read once more at 400 ms
    expect(source.reads).toBe(wakes);
    expect(batches.flat()).toEqual(Array.from({ length: wakes }, (_, i) => i + 1));
    // and 400 ms after the last wake, with nothing else waking it, it polls
    await vi.advanceTimersByTimeAsync(349);
    expect(source.reads).toBe(wakes);
    await vi.advanceTimersByTimeAsync(1);
    expect(source.reads).toBe(wakes + 1);
  });

  it('still finds what others append once nothing wakes it', async () => {
    const source = log();
    const seen: number[] = [];
    subscription = new SqliteSubscription(
      source.readAfter,
      { fromPosition: 0 },
      { onEvents: (b) => void seen.push(...b.map((e) => e.position)) },
      50,
      () => undefined,
    );
    source.append();
    source.append();
    await expect.poll(() => seen).toEqual([1, 2]);
  });
});
