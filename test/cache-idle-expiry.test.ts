import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { CACHE_IDLE_SECONDS, expiringCache, setCacheIdleSeconds } from '../src/idle-expiry.js';
import { KeyCache } from '../src/privacy/keys/key-wrap.js';
import { OpenedValueCache } from '../src/privacy/opened-value-cache.js';
import { DocCache } from '../src/projections/store/sqlite/doc-cache.js';
import { loadConfig } from '../src/server/config.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads `read` every 100 ms for `ms` (a hot entry); returns when done. */
async function keepReading(ms: number, read: () => void): Promise<void> {
  for (const until = performance.now() + ms; performance.now() < until;) {
    read();
    await sleep(100);
  }
}

// An entry goes between its expiry and about two seconds later (a sweep every quarter of it, the clock read once a second).
const EXPIRY_SECONDS = 1;
const GONE_AFTER_MS = 3_200;

describe('caches drop what was not read for their idle expiry', () => {
  afterEach(() => setCacheIdleSeconds(CACHE_IDLE_SECONDS));

  it('idle entries leave memory without being asked for again; an entry read meanwhile stays', async () => {
    setCacheIdleSeconds(EXPIRY_SECONDS);
    const cache = expiringCache<string, string>({ max: 100 });
    for (let i = 0; i < 50; i++) cache.set(`k-${i}`, `v-${i}`);
    await keepReading(GONE_AFTER_MS, () => cache.get('k-7'));
    // the sweep removed them: the cache holds one entry, not 50 stale ones waiting to be met
    expect(cache.size).toBe(1);
    expect(cache.get('k-7')).toBe('v-7');
  });

  it('an unwrapped key unused for the expiry is zeroed and dropped; the documents and opened values go too', async () => {
    setCacheIdleSeconds(EXPIRY_SECONDS);
    const keys = new KeyCache(10);
    keys.set('idle', Buffer.alloc(32, 1));
    keys.set('hot', Buffer.alloc(32, 2));
    const idleKey = keys.get('idle')!;
    const docs = new DocCache(1);
    docs.remember('doc_offers', 'o-idle', '{"id":"o-idle"}');
    docs.remember('doc_offers', 'o-hot', '{"id":"o-hot"}');
    const opened = new OpenedValueCache(10);
    opened.set('subject-idle', 'c1', 'Li Lei');
    opened.set('subject-hot', 'c2', 'Han Meimei');
    await keepReading(GONE_AFTER_MS, () => {
      keys.get('hot');
      docs.get('doc_offers', 'o-hot');
      opened.get('subject-hot', 'c2');
    });
    // zeroed by the sweep, while nobody asked for it: the key is no longer in memory
    expect(idleKey.equals(Buffer.alloc(32))).toBe(true);
    expect(keys.get('idle')).toBeUndefined();
    expect(keys.get('hot')?.equals(Buffer.alloc(32, 2))).toBe(true);
    expect(docs.get('doc_offers', 'o-idle')).toBeUndefined();
    expect(docs.get('doc_offers', 'o-hot')).toEqual({ id: 'o-hot' });
    expect(opened.get('subject-idle', 'c1')).toBeUndefined();
    expect(opened.get('subject-hot', 'c2')).toBe('Han Meimei');
  });

  it('CACHE_IDLE_SECONDS=0 keeps entries until the budget needs room; a negative value is refused with the setting named', async () => {
    const config = loadConfig({}, { CACHE_IDLE_SECONDS: '0' });
    expect(config.cacheIdleSeconds).toBe(0);
    setCacheIdleSeconds(config.cacheIdleSeconds);
    const cache = expiringCache<string, string>({ max: 100 });
    cache.set('k', 'v');
    expect(cache.ttl).toBe(0);
    expect(() => loadConfig({}, { CACHE_IDLE_SECONDS: '-1' })).toThrow(/CACHE_IDLE_SECONDS/);
    expect(loadConfig({}, {}).cacheIdleSeconds).toBe(CACHE_IDLE_SECONDS);
  });

  it('a cache nobody holds any more is freed at once, read or not (a codec made per cold read must not pile up)', async () => {
    setCacheIdleSeconds(60);
    const made = () => {
      const cache = expiringCache<string, string>({ max: 10_000 });
      cache.set('k', 'v');
      cache.get('k');
      return new WeakRef(cache);
    };
    const refs = Array.from({ length: 20 }, made);
    await sleep(0); // a WeakRef keeps its target until the end of the job that made it
    gc();
    expect(refs.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
  });
});
