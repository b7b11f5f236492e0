import type { LRUCache } from 'lru-cache';
import { deepFreeze } from '../../../deep-freeze.js';
import { expiringCache } from '../../../idle-expiry.js';
import type { Doc, Page } from '../read-store.js';

/** Megabytes of document JSON remembered unless configured (`--document-cache-mb`). */
export const DOCUMENT_CACHE_MB = 32;

/** What a page costs when its documents' sizes are unknown (they were evicted and came back some other way). */
const UNKNOWN_DOC_BYTES = 1024;

/**
 * Parsed read-model documents of one SQLite read store, by table and id, so
 * that a hot query does not parse the same JSON again (parsing was half the
 * cost of listing 50 offers). Documents are deep-frozen: every reader shares
 * them, and a mutation throws instead of corrupting the cache.
 *
 * It also remembers whole pages that finds returned, by table and query: a
 * hot list (a publisher's offers) then costs no query at all. A page goes
 * as soon as any document of its table changes: each table has a
 * generation in its pages' keys, and a change moves it on (the old pages
 * are never found again and age out).
 *
 * The store keeps it exact: its own writes drop the entries they touch, and
 * what other connections to the file changed is dropped as the store learns
 * of it (./doc-changes.ts). Bounded by bytes, documents and pages together,
 * least recently used first out: a document costs its JSON's length, a page
 * the lengths of its documents (the parsed form is about twice that).
 * Documents hold personal values sealed, as stored: nothing here needs
 * forgetting at erasure.
 */
export class DocCache {
  private readonly entries: LRUCache<string, Doc | Page<Doc>>;
  /** JSON length of each remembered document, for the size of the pages that hold it */
  private readonly sizes = new WeakMap<Doc, number>();
  /** table -> its pages' generation */
  private readonly generations = new Map<string, number>();

  constructor(maxMb = DOCUMENT_CACHE_MB) {
    this.entries = expiringCache({
      maxSize: Math.max(1, Math.round(maxMb * 1024 * 1024)),
      sizeCalculation: (value) => this.sizeOf(value),
    });
  }

  get(table: string, id: string): Doc | undefined {
    return this.entries.get(docKey(table, id)) as Doc | undefined;
  }

  /** Parses (by `parse`, when the row holds more than the body), freezes and remembers a document body (as read, not changed); returns the frozen document. */
  remember(table: string, id: string, body: string, parse?: (body: string) => Doc): Doc {
    const doc = deepFreeze(parse ? parse(body) : (JSON.parse(body) as Doc));
    this.sizes.set(doc, body.length);
    this.entries.set(docKey(table, id), doc);
    return doc;
  }

  /** A page a find returned for `key`, if remembered and nothing in its table changed since. */
  page(table: string, key: string): Page<Doc> | undefined {
    return this.entries.get(this.pageKey(table, key)) as Page<Doc> | undefined;
  }

  /** Remembers a page of this cache's documents; returns it, frozen. */
  rememberPage(table: string, key: string, page: Page<Doc>): Page<Doc> {
    const frozen = Object.freeze({
      ...page,
      items: Object.freeze([...page.items]) as Doc[],
      cursors: Object.freeze([...page.cursors]) as string[],
    });
    this.entries.set(this.pageKey(table, key), frozen);
    return frozen;
  }

  /** The document changed (or went): it goes, and so does every page of its table. */
  forget(table: string, id: string): void {
    this.entries.delete(docKey(table, id));
    this.generations.set(table, (this.generations.get(table) ?? 0) + 1);
  }

  /** The whole table changed (a rebuild, a rename): its documents and pages go. */
  forgetTable(table: string): void {
    this.generations.set(table, (this.generations.get(table) ?? 0) + 1);
    const prefix = docKey(table, '');
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  private pageKey(table: string, key: string): string {
    return `p\u0000${table}\u0000${this.generations.get(table) ?? 0}\u0000${key}`;
  }

  private sizeOf(value: Doc | Page<Doc>): number {
    const known = this.sizes.get(value as Doc);
    if (known !== undefined) return Math.max(1, known);
    // not a remembered document: a page
    return (value as Page<Doc>).items.reduce((sum, doc) => sum + (this.sizes.get(doc) ?? UNKNOWN_DOC_BYTES), 1);
  }
}

function docKey(table: string, id: string): string {
  return `d\u0000${table}\u0000${id}`;
}
