import type { Logger } from 'pino';
import type { Retention } from '../privacy/retention.js';

const DAY_MS = 86_400_000;

export interface RetentionSchedule {
  /** the run made at start-up */
  first: Promise<void>;
  /** Stops the timer and waits for a run in progress (the key store must not close under it). */
  stop(): Promise<void>;
}

/**
 * A serving process applies retention itself: once at start and then every
 * `everyMs` (a day). It owns the key cache, so a destroyed month stops being
 * readable at once, with no restart. Every process of the distributed shape
 * may run it: destroying a key twice is harmless. Logs name the destroyed
 * month buckets (`retention/2026-01`), which are not personal data.
 */
export function scheduleRetention(retention: Retention, logger: Logger, everyMs = DAY_MS): RetentionSchedule {
  let running: Promise<void> = Promise.resolve();
  const run = (): Promise<void> => {
    running = running.then(async () => {
      try {
        const { destroyed, throughMonth } = await retention.run();
        if (destroyed.length > 0) logger.info({ destroyed, throughMonth }, 'retention destroyed month keys');
      } catch (error) {
        logger.error(
          { error: error instanceof Error ? error.message : 'unknown' },
          'retention failed; it runs again at the next interval',
        );
      }
    });
    return running;
  };
  const first = run();
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  return {
    first,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
