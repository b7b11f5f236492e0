import type { RecordedEvent } from '../event-envelope.js';
import { kurrent } from './kurrentdb-client.js';

/**
 * Whether a read may simply be sent again: the node was not the leader
 * (an election, or a follower answering a leader-only read), the cluster
 * could not be reached, or the read made no progress in time. A read
 * changes nothing, so a retry is always safe; an append is another matter
 * (an unavailable answer may hide a write that was made).
 */
export function retryableRead(error: unknown): boolean {
  const client = kurrent();
  return (
    error instanceof client.NotLeaderError ||
    error instanceof client.UnavailableError ||
    error instanceof client.DeadlineExceededError
  );
}

/**
 * Every item of a read, failing when none arrives for `idleMs`. The
 * client's reads go through its native bridge, which takes no deadline: a
 * node that accepts the connection and never answers would hold the read
 * (and the request waiting on it) forever. The deadline is on progress,
 * not on the whole read, so reading a long log is not cut short.
 */
export async function collect<T>(items: AsyncIterable<T>, idleMs: number): Promise<T[]> {
  const iterator = items[Symbol.asyncIterator]();
  const out: T[] = [];
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new (kurrent().DeadlineExceededError)(undefined, `KurrentDB sent nothing for ${idleMs} ms`)),
        idleMs,
      );
    });
    try {
      const next = await Promise.race([iterator.next(), idle]);
      if (next.done) return out;
      out.push(next.value);
    } catch (error) {
      // Abandon the read; its end is not awaited (a hung read may never end).
      void iterator.return?.().catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The positions of the events one append wrote. KurrentDB's append answers
 * the position of the write's last event; an earlier event's own position
 * needs a read of the written revisions. That read is best-effort: the
 * events are committed whatever it meets, so when it failed (or did not
 * find them) the earlier events carry the write's position too, which is
 * what read-your-writes waits for and all that is made of them.
 */
export function positionsOfWrite(
  recorded: readonly RecordedEvent[],
  writePosition: number,
  readBack: readonly RecordedEvent[] | undefined,
): RecordedEvent[] {
  const matches =
    readBack !== undefined &&
    readBack.length === recorded.length &&
    readBack.every((read, i) => read.eventId === recorded[i]!.eventId);
  return recorded.map((event, i) => ({
    ...event,
    position: matches && i < recorded.length - 1 ? readBack[i]!.position : writePosition,
  }));
}
