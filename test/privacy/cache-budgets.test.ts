import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LRUCache } from 'lru-cache';
import { describe, expect, it } from 'vitest';
import { AggregateCache, type CachedAggregate } from '../../src/events/aggregate-cache.js';
import type { RecordedEvent } from '../../src/events/store/event-envelope.js';
import { KeyCache } from '../../src/privacy/keys/key-wrap.js';
import { SqliteKeyStore } from '../../src/privacy/keys/sqlite-key-store.js';
import { PersonalDataCodec } from '../../src/privacy/personal-data-codec.js';
import { StreamKeys } from '../../src/privacy/keys/stream-keys.js';
import { OpenedValueCache } from '../../src/privacy/opened-value-cache.js';
import { DocCache } from '../../src/projections/store/sqlite/doc-cache.js';

/** A stream state holding a value sealed for `subjectId` (as the command handler caches it). */
function stateOf(subjectId: string): CachedAggregate<unknown> {
  const sealed = { $pd: 1, s: subjectId, k: 'key-1', c: 'AAAA' };
  const event = {
    type: 'ContactUpdated',
    data: { contact: { email: sealed } },
    metadata: {},
  } as unknown as RecordedEvent;
  return {
    state: { email: 'opened' },
    revision: 0,
    position: 1,
    marks: new Map(),
    keys: StreamKeys.none.with([event]),
  };
}

describe('cache budgets', () => {
  it('the document cache keeps at most its budget of JSON, least recently used out first', () => {
    const cache = new DocCache(1); // 1 MB
    const body = JSON.stringify({ text: 'x'.repeat(100_000) }); // ~100 kB
    for (let i = 0; i < 30; i++) {
      cache.remember('doc_offers', `o-${i}`, body);
      cache.get('doc_offers', 'o-0'); // kept in use
    }
    const kept = Array.from({ length: 30 }, (_, i) => cache.get('doc_offers', `o-${i}`)).filter(Boolean).length;
    expect(kept * body.length).toBeLessThanOrEqual(1024 * 1024);
    expect(kept).toBeGreaterThanOrEqual(9);
    expect(cache.get('doc_offers', 'o-0')).toBeDefined();
    expect(cache.get('doc_offers', 'o-29')).toBeDefined();
  });

  it('a page goes when a document of its table changes, not when another table does', () => {
    const cache = new DocCache(1);
    const doc = cache.remember('doc_offers', 'o-1', '{"id":"o-1"}');
    cache.rememberPage('doc_offers', 'q', { items: [doc], cursors: ['c'], endCursor: 'c', hasNextPage: false });
    cache.forget('doc_publishers', 'p-1');
    expect(cache.page('doc_offers', 'q')?.items).toEqual([doc]);
    cache.forget('doc_offers', 'o-2');
    expect(cache.page('doc_offers', 'q')).toBeUndefined();
  });

  it('unwrapped keys: each cached key holds its own 32 bytes, not a slab of the shared buffer pool', () => {
    const cache = new KeyCache(100);
    for (let i = 0; i < 100; i++) {
      // as unwrapping returns it: a small Buffer.concat, a slice of Node's 8 KB pool
      const key = Buffer.concat([Buffer.alloc(16, i), Buffer.alloc(16, i)]);
      cache.set(`s-${i}`, key);
      Buffer.concat([Buffer.alloc(64)]); // other small buffers share the slab meanwhile
    }
    const kept = Array.from({ length: 100 }, (_, i) => cache.get(`s-${i}`)!);
    // what the cache holds is what it keeps alive: 100 keys of 32 bytes, not 100 slabs
    expect(kept.reduce((sum, key) => sum + key.buffer.byteLength, 0)).toBe(100 * 32);
    expect(kept[7]!.equals(Buffer.alloc(32, 7))).toBe(true);
  });

  it('key ids: each remembered key holds its own 32 bytes, not a slab of the shared buffer pool', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-key-ids-'));
    const keys = SqliteKeyStore.open(path.join(dir, 'keys.sqlite'), Buffer.alloc(32, 1));
    try {
      const codec = new PersonalDataCodec(keys);
      for (let i = 0; i < 100; i++) {
        const key = Buffer.concat([Buffer.alloc(16, i), Buffer.alloc(16, i)]); // a slice of the pool
        codec.sealWith(key, `s-${i}`, 'Li Lei');
        Buffer.concat([Buffer.alloc(64)]); // other small buffers share the slab meanwhile
      }
      // private: what the cache keeps alive is not visible through the codec's API
      const keyIds = (codec as unknown as { keyIds: LRUCache<string, { key: Buffer }> }).keyIds;
      const held = [...keyIds.values()].map(({ key }) => key.buffer.byteLength);
      expect(held).toHaveLength(100);
      expect(held.reduce((sum, bytes) => sum + bytes, 0)).toBe(100 * 32);
    } finally {
      await keys.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opened values: at most the budget in all, whole subjects out, least recently used first', () => {
    const cache = new OpenedValueCache(4);
    cache.set('a', 'c1', 'one');
    cache.set('a', 'c2', 'two');
    cache.set('b', 'c3', 'three');
    cache.get('a', 'c1');
    cache.set('c', 'c4', 'four');
    cache.set('c', 'c5', 'five'); // 5 values: b (least recently used) goes
    expect(cache.get('b', 'c3')).toBeUndefined();
    expect([cache.get('a', 'c1'), cache.get('a', 'c2'), cache.get('c', 'c5')]).toEqual(['one', 'two', 'five']);
  });

  it('opened values: a budget of 0 keeps none (a process no erasure reaches)', () => {
    const cache = new OpenedValueCache(0);
    cache.set('a', 'c1', 'one');
    expect(cache.get('a', 'c1')).toBeUndefined();
  });

  it('aggregate states: a destroyed subject drops the streams holding its values, and an evicted stream is no longer indexed', () => {
    const cache = new AggregateCache(2);
    cache.set('publisher-1', stateOf('publisher/1/contact'));
    cache.set('publisher-2', stateOf('publisher/2/contact'));
    cache.forgetSubjects(new Set(['publisher/1/contact']));
    expect(cache.get('publisher-1')).toBeUndefined();
    expect(cache.get('publisher-2')).toBeDefined();
    cache.set('publisher-3', stateOf('publisher/3/contact'));
    cache.set('publisher-4', stateOf('publisher/4/contact')); // publisher-2 evicted
    expect(cache.get('publisher-2')).toBeUndefined();
    cache.set('publisher-2b', stateOf('publisher/2/contact'));
    cache.forgetSubjects(new Set(['publisher/2/contact']));
    expect(cache.get('publisher-2b')).toBeUndefined();
    expect(cache.get('publisher-4')).toBeDefined();
    cache.forgetSubjects(new Set(['idempotency/publisher-4'])); // the stream's idempotency key
    expect(cache.get('publisher-4')).toBeUndefined();
  });

  it('aggregate states: a stream written again under the same keys (its usual write) is still dropped when its subject is destroyed', () => {
    const cache = new AggregateCache(2);
    const first = stateOf('publisher/1/contact');
    cache.set('publisher-1', first);
    cache.set('publisher-1', { ...first, revision: 1, position: 2 }); // same StreamKeys object
    cache.set('publisher-1', { ...first, revision: 2, position: 3 });
    cache.forgetSubjects(new Set(['publisher/1/contact']));
    expect(cache.get('publisher-1')).toBeUndefined();
    cache.set('publisher-2', stateOf('publisher/2/contact'));
    cache.set('publisher-2', stateOf('publisher/2b/contact')); // new keys: indexed under the new subject only
    cache.forgetSubjects(new Set(['publisher/2/contact']));
    expect(cache.get('publisher-2')).toBeDefined();
    cache.forgetSubjects(new Set(['publisher/2b/contact']));
    expect(cache.get('publisher-2')).toBeUndefined();
  });
});
