import { deepFreeze } from '../../../deep-freeze.js';
import type { Doc, Page } from '../read-store.js';

/** Pages remembered per table; past this the table's pages are dropped (they are only a shortcut). */
const MAX_PAGES_PER_TABLE = 256;

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
 * It also remembers whole pages that finds returned, by table and query: a
 * hot list (a publisher's offers) then costs no query at all. A page goes
 * as soon as any document of its table changes.
 *
 * The store keeps it exact: its own writes drop the entries they touch, and
 * what other connections to the file changed is dropped as the store learns
 * of it (./doc-changes.ts). Bounded: past the limit, the
 * oldest entries go first, except that one read since it was last looked at
 * gets a second chance (near enough to least recently used, without moving
 * an entry on every read: a page of 50 offers reads 50 of them).
 */
export class DocCache {
  /** table -> id -> entry, in insertion order */
  private readonly tables = new Map<string, Map<string, Entry>>();
  /** table -> find's query key -> the page it returned (frozen) */
  private readonly pages = new Map<string, Map<string, Page<Doc>>>();
  private size = 0;

  constructor(private readonly maxDocs = 20_000) {}

  get(table: string, id: string): Doc | undefined {
    const entry = this.tables.get(table)?.get(id);
    if (entry === undefined) return undefined;
    entry.read = true;
    return entry.doc;
  }

  /** Parses, freezes and remembers a document body (as read, not changed); returns the frozen document. */
  remember(table: string, id: string, body: string): Doc {
    const doc = deepFreeze(JSON.parse(body) as Doc);
    this.drop(table, id);
    // room first, so the document being remembered is never the one to go
    while (this.size >= this.maxDocs && this.size > 0) this.evictOne();
    let entries = this.tables.get(table);
    if (!entries) this.tables.set(table, (entries = new Map()));
    entries.set(id, { doc, read: false });
    this.size++;
    return doc;
  }

  /** A page a find returned for `key`, if remembered and nothing in its table changed since. */
  page(table: string, key: string): Page<Doc> | undefined {
    return this.pages.get(table)?.get(key);
  }

  /** Remembers a page of this cache's documents; returns it, frozen. */
  rememberPage(table: string, key: string, page: Page<Doc>): Page<Doc> {
    let pages = this.pages.get(table);
    if (!pages || pages.size >= MAX_PAGES_PER_TABLE) this.pages.set(table, (pages = new Map()));
    const frozen = Object.freeze({ ...page, items: Object.freeze([...page.items]) as Doc[], cursors: Object.freeze([...page.cursors]) as string[] });
    pages.set(key, frozen);
    return frozen;
  }

  /** The document changed (or went): it goes, and so does every page of its table. */
  forget(table: string, id: string): void {
    this.drop(table, id);
    this.pages.delete(table);
  }

  forgetTable(table: string): void {
    this.pages.delete(table);
    const entries = this.tables.get(table);
    if (!entries) return;
    this.size -= entries.size;
    this.tables.delete(table);
  }

  clear(): void {
    this.tables.clear();
    this.pages.clear();
    this.size = 0;
  }

  private drop(table: string, id: string): void {
    if (this.tables.get(table)?.delete(id)) this.size--;
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
