import { SNAPSHOT_CACHE_ENTRIES } from '../history/stream-states.js';
import { TOKEN_CACHE_ENTRIES } from '../auth/token-verifier.js';
import { AGGREGATE_CACHE_ENTRIES } from '../events/aggregate-cache.js';
import { LOG_MMAP_MB, SQLITE_CACHE_MB, SQLITE_READ_CACHE_MB } from '../sqlite/open-database.js';
import { KEY_CACHE_ENTRIES } from '../privacy/keys/key-wrap.js';
import { OPENED_VALUE_CACHE_ENTRIES } from '../privacy/opened-value-cache.js';
import { DOCUMENT_CACHE_MB } from '../projections/store/sqlite/doc-cache.js';
import { PROJECTION_YOUNG_GENERATION_MB } from '../projections/runner/thread/threaded-projections.js';
import { CACHE_IDLE_SECONDS } from '../idle-expiry.js';
import { COMPILED_OPERATION_CACHE_ENTRIES } from './compiled-execution.js';
import { RATE_LIMIT_CLIENTS } from './rate-limit.js';
import { integer, type Setting } from './setting-parsers.js';

/**
 * What the process may keep in memory: each cache's budget (least recently
 * used out first) and the log's memory map. The defaults, with the server's
 * own ~150 MB, fit a 512 MB container (`npm run bench -- soak` checks); each
 * default is declared beside its cache.
 */
export const CACHE_SETTINGS = {
  aggregateCacheEntries: {
    env: 'AGGREGATE_CACHE_ENTRIES',
    default: String(AGGREGATE_CACHE_ENTRIES),
    parse: integer(1, 10_000_000),
    help: "folded streams kept in memory, so that a command reads only a stream's new events",
  },
  openedValueCacheEntries: {
    env: 'OPENED_VALUE_CACHE_ENTRIES',
    default: String(OPENED_VALUE_CACHE_ENTRIES),
    parse: integer(1, 100_000_000),
    help: "decrypted personal values kept in memory, so that a hot read does not decrypt again (by `serve`; a `project` worker's, `rebuild --online`'s and the projection thread's keep none)",
  },
  keyCacheEntries: {
    env: 'KEY_CACHE_ENTRIES',
    default: String(KEY_CACHE_ENTRIES),
    parse: integer(1, 10_000_000),
    help: "unwrapped data keys kept in memory (the embedded key store of `serve`; MongoDB's, a `project` worker's, `rebuild --online`'s and the projection thread's cache none)",
  },
  documentCacheMb: {
    env: 'DOCUMENT_CACHE_MB',
    default: String(DOCUMENT_CACHE_MB),
    parse: integer(1, 65_536),
    help: 'megabytes of read-model JSON kept parsed, with the pages of recent lists (embedded read store, once per thread; about twice that in heap)',
  },
  snapshotCacheEntries: {
    env: 'SNAPSHOT_CACHE_ENTRIES',
    default: String(SNAPSHOT_CACHE_ENTRIES),
    parse: integer(1, 10_000_000),
    help: 'snapshots of past states kept for history and point-in-time reads',
  },
  tokenCacheEntries: {
    env: 'TOKEN_CACHE_ENTRIES',
    default: String(TOKEN_CACHE_ENTRIES),
    parse: integer(1, 10_000_000),
    help: 'verified tokens kept (each until it expires), so that a known token is not verified again',
  },
  compiledOperationCacheEntries: {
    env: 'COMPILED_OPERATION_CACHE_ENTRIES',
    default: String(COMPILED_OPERATION_CACHE_ENTRIES),
    parse: integer(1, 1_000_000),
    help: 'GraphQL operations kept compiled to JavaScript, so that a known operation is not walked field by field again; as many parsed query texts, and as many automatic persisted query texts, are kept (each forgotten when idle like every cache)',
  },
  rateLimitClients: {
    env: 'RATE_LIMIT_CLIENTS',
    default: String(RATE_LIMIT_CLIENTS),
    parse: integer(1, 10_000_000),
    help: 'clients whose rate-limit buckets are kept; a bucket full again is dropped',
  },
  cacheIdleSeconds: {
    env: 'CACHE_IDLE_SECONDS',
    default: String(CACHE_IDLE_SECONDS),
    parse: integer(0, 86_400),
    help: 'seconds an entry of the caches above (documents, opened values, folded streams, snapshots, tokens, keys, compiled operations and query texts) may go unread before it is dropped, so that memory goes back once the load stops; `0`: kept until its budget needs the room',
  },
  sqliteCacheMb: {
    env: 'SQLITE_CACHE_MB',
    default: String(SQLITE_CACHE_MB),
    parse: integer(1, 65_536),
    help: "megabytes of SQLite pages each connection that writes keeps cached (embedded stores: the server's log writer and its projection thread's read models and keys; the projection thread's connection to the log, which only reads forward, keeps 2 MB at most; the request thread's, `SQLITE_READ_CACHE_MB`)",
  },
  sqliteReadCacheMb: {
    env: 'SQLITE_READ_CACHE_MB',
    default: String(SQLITE_READ_CACHE_MB),
    parse: integer(1, 65_536),
    help: "megabytes of SQLite pages each of the server's request-thread connections keeps cached (the log, the read models, the keys), at most `SQLITE_CACHE_MB`: with the log's writes and the projections on threads of their own, that thread only reads, and the OS's file cache serves the rest",
  },
  logMmapMb: {
    env: 'LOG_MMAP_MB',
    default: String(LOG_MMAP_MB),
    parse: integer(0, 65_536),
    help: 'megabytes of the embedded log each connection maps into memory; mapped pages count in RSS once per connection (the server has three: requests, the log writer, the projection thread), so a large value makes RSS grow with the log; `0` reads through SQLite',
  },
  projectionYoungGenerationMb: {
    env: 'PROJECTION_YOUNG_GENERATION_MB',
    default: String(PROJECTION_YOUNG_GENERATION_MB),
    parse: integer(1, 1_024),
    help: "megabytes of V8's young generation on the projection thread: under steady writes it stays at its largest, in RSS; more makes a catch-up or rebuild inside the server scavenge less (the request thread's is node's `--max-semi-space-size`, set by `npm start`)",
  },
} satisfies Record<string, Setting<unknown>>;
