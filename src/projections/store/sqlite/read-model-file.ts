import type { SqliteFileOptions } from '../../../sqlite/open-database.js';

/**
 * How every connection opens the read-model file (the read store, the
 * projection leases): WAL with synchronous=NORMAL, secure_delete (see
 * ./sqlite-read-store.ts), and, for a file it creates, 16 KiB pages.
 *
 * Why 16 KiB: a rebuild writes every row and index entry of a model through
 * the WAL and again into the file at each checkpoint, and SQLite reads and
 * writes a page per system call and keeps a header and checksum per page.
 * The audit trail's 1M-event rebuild into a new file took 14.0–14.6 s of CPU
 * with 4 KiB pages and 9.6–12.4 s with 16 KiB ones (alternating runs, one
 * machine under load). A commit that touches few rows writes 16 KiB per page
 * to the WAL instead of 4: read models are synchronous=NORMAL, so no fsync
 * waits on it. A file created before keeps its 4 KiB pages and works as
 * before; deleting it (read models are rebuilt from the log at the next
 * start) gives the new size.
 */
export const READ_MODEL_FILE: SqliteFileOptions = { synchronous: 'NORMAL', secureDelete: true, pageBytes: 16_384 };
