import { TimeoutError } from '../../errors.js';

/**
 * Read-your-writes waits: each resolves once the reached position is at
 * least the one it waits for, or fails with a TimeoutError after its bound.
 */
export class PositionWaiters {
  private readonly waiters = new Set<{ position: number; resolve(): void }>();

  /** `reached`: the position already reached when the wait starts; `message`: what the TimeoutError says, if not the default. */
  wait(position: number, reached: number, timeoutMs: number, message?: string): Promise<void> {
    if (reached >= position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new TimeoutError(message ?? `read models did not reach position ${position} within ${timeoutMs} ms; retry`),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Resolves every wait for a position at or below `reached`. */
  settle(reached: number): void {
    for (const waiter of this.waiters) if (waiter.position <= reached) waiter.resolve();
  }
}
