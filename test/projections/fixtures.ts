import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { NewEvent, RecordedEvent } from '../../src/events/store/event-envelope.js';
import { foldDocuments, type ProjectedDoc } from '../../src/projections/document-projection.js';

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Builds recorded events of one stream with consecutive revisions and positions. */
export function recorded(
  streamId: string,
  events: Array<{ type: string; data: Record<string, unknown> }>,
  startPosition = 1,
  startRevision = 0,
): RecordedEvent[] {
  return events.map((event, i) => ({
    eventId: `${streamId}-${startRevision + i}`,
    type: event.type,
    schemaVersion: 1,
    occurredAt: '2026-11-22T10:00:00.000Z',
    data: event.data,
    metadata: { actor: { id: 'tester', kind: 'system' }, correlationId: 'c-1' },
    streamId,
    revision: startRevision + i,
    position: startPosition + i,
    prevHash: '',
    hash: '',
  }));
}

/** A new event carrying a number, for runner tests that count what was applied. */
export const countedEvent = (n: number): NewEvent => ({
  eventId: crypto.randomUUID(),
  type: 'Counted',
  schemaVersion: 1,
  occurredAt: new Date(0).toISOString(),
  data: { n },
  metadata: { actor: { id: 'tester', kind: 'system' }, correlationId: 'c' },
});

/** Counts events per stream: small enough to see every effect. */
export interface CounterDoc extends ProjectedDoc {
  count: number;
}

/** A projection named `name` into a collection of the same name, counting each stream's events. */
export const counting = (name: string) =>
  foldDocuments<CounterDoc, RecordedEvent>({
    select: (event) => event,
    name,
    collection: { name },
    documentId: (event) => event.streamId,
    evolve: (doc, event) => ({ id: event.streamId, count: (doc?.count ?? 0) + 1 }),
  });

/** An index of a SQLite read model's table: where its pages start tells one built again apart. */
export interface StoredIndex {
  name: string;
  rootpage: number;
}

/** The declared indexes on `table` in the SQLite file `file`, by name, as another connection sees them. */
export function storedIndexes(file: string, table: string): StoredIndex[] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare(
        "SELECT name, rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
      )
      .all(table) as StoredIndex[];
  } finally {
    db.close();
  }
}
