import { deepFreeze } from '../../deep-freeze.js';
import type { Doc } from '../read-store.js';

/** A cached document, and whether it was read since eviction last passed it. */
interface Entry {
  doc: Doc;
  read: boolean;
}

/**
 * Parsed read-model documents of one SQLite read store, by table and id, so
 * that a hot query does not parse the same JSON again (parsing was half the
 * cost of listing 50 offers). Documents are deep-frozen: every reader shares
 * them, and a mutation throws instead of corrupting the cache.
 *
 * The store keeps it exact: its own writes drop the entries they touch, and
 * a commit by any other connection to the file (seen through SQLite's
 * `PRAGMA data_version`) drops everything. Bounded: past the limit, the
 * oldest entries go first, except that one read since it was last looked at
 * gets a second chance (near enough to least recently used, without moving
 * an entry on every read: a page of 50 offers reads 50 of them).
 */
export class DocCache {
  /** table -> id -> entry, in insertion order */
  private readonly tables = new Map<string, Map<string, Entry>>();
  private size = 0;

  constructor(private readonly maxDocs = 20_000) {}

  get(table: string, id: string): Doc | undefined {
    const entry = this.tables.get(table)?.get(id);
    if (entry === undefined) return undefined;
    entry.read = true;
    return entry.doc;
  }

  /** Parses, freezes and remembers a document body; returns the frozen document. */
  remember(table: string, id: string, body: string): Doc {
    const doc = deepFreeze(JSON.parse(body) as Doc);
    this.forget(table, id);
    // room first, so the document being remembered is never the one to go
    while (this.size >= this.maxDocs && this.size > 0) this.evictOne();
    let entries = this.tables.get(table);
    if (!entries) this.tables.set(table, (entries = new Map()));
    entries.set(id, { doc, read: false });
    this.size++;
    return doc;
  }

  forget(table: string, id: string): void {
    if (this.tables.get(table)?.delete(id)) this.size--;
  }

  forgetTable(table: string): void {
    const entries = this.tables.get(table);
    if (!entries) return;
    this.size -= entries.size;
    this.tables.delete(table);
  }

  clear(): void {
    this.tables.clear();
    this.size = 0;
  }

  /** Drops the oldest entry not read since eviction last passed it; one that was goes to the back, once. */
  private evictOne(): void {
    for (const [table, entries] of this.tables) {
      for (const [id, entry] of entries) {
        entries.delete(id);
        if (entry.read) {
          entry.read = false;
          entries.set(id, entry); // second chance: met again at the back of its table
          continue;
        }
        this.size--;
        if (entries.size === 0) this.tables.delete(table);
        return;
      }
    }
  }
}
