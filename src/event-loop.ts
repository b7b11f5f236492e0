import { setImmediate as immediate } from 'node:timers/promises';

/**
 * Lets the event loop run timers and I/O before going on. A long loop of
 * awaits on synchronous work (SQLite through better-sqlite3) only ever
 * queues microtasks, so without this a catch-up or a rebuild over a large
 * log would starve everything else: HTTP requests, health checks, and the
 * timers that renew projection leases (which then expire mid-rebuild).
 */
export function yieldToEventLoop(): Promise<void> {
  return immediate();
}
