import { deepFreeze } from '../../deep-freeze.js';
import type { Doc } from '../read-store.js';

/**
 * Parsed read-model documents of one SQLite read store, by table and id, so
 * that a hot query does not parse the same JSON again (parsing was half the
 * cost of listing 50 offers). Documents are deep-frozen: every reader shares
 * them, and a mutation throws instead of corrupting the cache.
 *
 * The store keeps it exact: its own writes drop the entries they touch, and
 * a commit by any other connection to the file (seen through SQLite's
 * `PRAGMA data_version`) drops everything. Bounded; least recently used first.
 */
export class DocCache {
  private readonly entries = new Map<string, Doc>();

  constructor(private readonly maxDocs = 20_000) {}

  get(table: string, id: string): Doc | undefined {
    const key = `${table}\u0000${id}`;
    const doc = this.entries.get(key);
    if (doc !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, doc);
    }
    return doc;
  }

  /** Parses, freezes and remembers a document body; returns the frozen document. */
  remember(table: string, id: string, body: string): Doc {
    const doc = deepFreeze(JSON.parse(body) as Doc);
    this.entries.set(`${table}\u0000${id}`, doc);
    if (this.entries.size > this.maxDocs) this.entries.delete(this.entries.keys().next().value!);
    return doc;
  }

  forget(table: string, id: string): void {
    this.entries.delete(`${table}\u0000${id}`);
  }

  forgetTable(table: string): void {
    const prefix = `${table}\u0000`;
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
