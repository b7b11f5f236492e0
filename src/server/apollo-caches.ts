import type { DocumentStore } from '@apollo/server';
import { expiringCache } from '../idle-expiry.js';

/**
 * One of Apollo's own caches, bounded and idle-expiring as every cache
 * here is (src/idle-expiry.ts). Apollo's default (an LRU of 30 MB, no
 * expiry) kept what it was given until newer entries pushed it out, however
 * long after: and both of the caches below hold query texts, whose inline
 * literals may be personal values (a mutation with an email written into
 * it), which must not outlive their erasure in memory.
 */
class ExpiringKeyValueCache<V extends {}> {
  private readonly entries;

  constructor(max: number) {
    this.entries = expiringCache<string, V>({ max: Math.max(1, max) });
  }

  async get(key: string): Promise<V | undefined> {
    return this.entries.get(key);
  }

  /** A time to live Apollo asks for (seconds: persisted queries' `ttl`, unset here) may shorten an entry's life, never lengthen it past the idle expiry. */
  async set(key: string, value: V, options?: { ttl?: number | null }): Promise<void> {
    const asked = options?.ttl ? options.ttl * 1000 : undefined;
    const idle = this.entries.ttl;
    this.entries.set(key, value, asked === undefined ? undefined : { ttl: idle > 0 ? Math.min(asked, idle) : asked });
  }

  async delete(key: string): Promise<boolean> {
    return this.entries.delete(key);
  }
}

/**
 * Apollo's caches, as many entries as operations are kept compiled
 * (`--compiled-operation-cache-entries`: a document a compiled operation
 * was made from is worth keeping as long as it is), each bounded in size
 * by `--max-query-tokens`:
 * - `documentStore`: each query text parsed and validated, by its hash
 *   (the document keeps its text in `loc.source`, its literals in its nodes);
 * - `cache`: the texts automatic persisted queries registered, by hash.
 */
export function apolloCaches(entries: number): { documentStore: DocumentStore; cache: ExpiringKeyValueCache<string> } {
  return {
    documentStore: new ExpiringKeyValueCache(entries),
    cache: new ExpiringKeyValueCache<string>(entries),
  };
}
