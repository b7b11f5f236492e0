import { LRUCache } from 'lru-cache';

/**
 * Seconds a cached entry may go unread before it is dropped, unless
 * configured (`--cache-idle-seconds`). Budgets bound what a cache may hold
 * under load; this gives the memory back once the load stops (and keeps no
 * opened value, key or token in memory longer than it is used). Re-reading
 * what went costs a parse, an unwrap or a fold, microseconds to a
 * millisecond: nothing a minute's wait would notice.
 */
export const CACHE_IDLE_SECONDS = 60;

/** This thread's idle expiry, read by each cache as it is made (each thread sets it from its settings first). */
let idleSeconds = CACHE_IDLE_SECONDS;

/** Sets the idle expiry of the caches this thread makes from now on; 0: entries stay until the budget needs room. */
export function setCacheIdleSeconds(seconds: number): void {
  idleSeconds = seconds;
}

/** The idle expiry this thread's caches get (passed on to the threads it starts). */
export function cacheIdleSeconds(): number {
  return idleSeconds;
}

/**
 * A least-recently-used cache whose entries also go once unread for the
 * thread's idle expiry: each read renews an entry, and a sweep every quarter
 * of the expiry drops the stale ones (lru-cache only drops a stale entry when
 * it is met again, or with a timer per entry). Ages are read from this
 * thread's coarse clock, one reading a second at most: lru-cache's own debounce
 * (`ttlResolution`) sets a timer per cache on each reading, and that timer
 * held its cache (and whatever owned it) for the debounce's length, so code
 * that makes caches by the thousand (a codec per cold read in the
 * benchmarks) ran out of heap. The sweep holds caches weakly: a cache nobody
 * uses any more is not kept alive by it.
 */
export function expiringCache<K extends {}, V extends {}>(options: LRUCache.Options<K, V, unknown>): LRUCache<K, V> {
  if (idleSeconds <= 0) return new LRUCache(options);
  const ttl = idleSeconds * 1000;
  const cache = new LRUCache<K, V>({ ...options, ttl, updateAgeOnGet: true, ttlResolution: 0, perf: coarseClock });
  sweepEvery(ttl / 4, cache);
  return cache;
}

/** Milliseconds, to within a second (an eighth of a quarter of the expiry): read by a timer, not on each cache access. */
let coarseNow = performance.now();
const coarseClock = { now: () => coarseNow };

/** what a sweep needs of a cache */
type Purgeable = Pick<LRUCache<{}, {}>, 'purgeStale'>;

const swept = new Set<WeakRef<Purgeable>>();
/** one timer per thread: it reads the clock at each tick and sweeps every `sweepMs` */
let timer: { handle: NodeJS.Timeout; sweepMs: number } | undefined;
let sweptAt = 0;

/** Sweeps `cache` every `periodMs` (a quarter of its expiry) and reads the clock eight times as often, at most once a second. */
function sweepEvery(periodMs: number, cache: Purgeable): void {
  swept.add(new WeakRef(cache));
  coarseNow = performance.now();
  if (timer && timer.sweepMs <= periodMs) return;
  if (timer) clearInterval(timer.handle);
  // unref'd: it never keeps a process (or a test) alive
  timer = { handle: setInterval(tick, Math.min(1000, periodMs / 8)).unref(), sweepMs: periodMs };
}

function tick(): void {
  coarseNow = performance.now();
  if (!timer || coarseNow - sweptAt < timer.sweepMs) return;
  sweptAt = coarseNow;
  for (const ref of swept) {
    const cache = ref.deref();
    if (cache) cache.purgeStale();
    else swept.delete(ref);
  }
  if (swept.size === 0) {
    clearInterval(timer.handle);
    timer = undefined;
  }
}
