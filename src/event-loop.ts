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

/**
 * Runs `fn` at most once per `intervalMs`: at once when the last run is
 * older than that, else once when the interval has passed (however many
 * triggers came meanwhile). The timer does not keep the process alive.
 */
export class Coalesced {
  private timer: NodeJS.Timeout | undefined;
  private last = -Infinity;

  constructor(
    private readonly intervalMs: number,
    private readonly fn: () => void,
  ) {}

  trigger(): void {
    if (this.timer) return;
    const wait = this.last + this.intervalMs - performance.now();
    if (wait <= 0) return this.run();
    this.timer = setTimeout(() => this.run(), wait);
    this.timer.unref();
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    this.cancel();
    this.last = performance.now();
    this.fn();
  }
}

/**
 * Whether something was already done in the current turn of the event
 * loop: `fresh()` is true from `mark()` until the loop next runs its
 * setImmediate callbacks. For checks that cost a system call and need
 * not run for every one of the many requests a busy turn handles.
 */
export class OncePerTurn {
  private marked = false;
  private readonly expire = () => {
    this.marked = false;
  };

  fresh(): boolean {
    return this.marked;
  }

  mark(): void {
    if (this.marked) return;
    this.marked = true;
    setImmediate(this.expire);
  }
}
