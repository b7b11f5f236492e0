import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../src/events/store/event-envelope.js';
import { SqliteEventStore } from '../../../src/events/store/sqlite/sqlite-event-store.js';
import { foldDocuments, type ProjectedDoc } from '../../../src/projections/document-projection.js';
import { ProjectionRunner } from '../../../src/projections/runner/projection-runner.js';
import { SqliteReadStore } from '../../../src/projections/store/sqlite/sqlite-read-store.js';
import { countedEvent, tempDir } from '../fixtures.js';

interface LabelDoc extends ProjectedDoc {
  label: string;
}
/** One document per event, labelled by the build that folded it, with an index on the label. */
const labels = (build: string) =>
  foldDocuments<LabelDoc, RecordedEvent>({
    select: (event) => event,
    name: 'labels',
    collection: { name: 'labels', indexes: [{ name: 'by_label', fields: [{ field: 'label' }] }] },
    documentId: (event) => `${event.streamId}-${event.revision}`,
    evolve: (_doc, event) => ({ id: `${event.streamId}-${event.revision}`, label: `${build}-${event.revision}` }),
  });
/** What the first build stored: a value to search the file for once it is erased. */
const OLD = 'OLD-BUILD-zhang.san@example.cn';

describe('rebuilding a model that exists', () => {
  let tmp: ReturnType<typeof tempDir>;
  let events: SqliteEventStore;
  let reads: SqliteReadStore;
  let file: string;

  beforeEach(() => {
    tmp = tempDir('pl-rebuild-aside-');
    file = path.join(tmp.dir, 'read.sqlite');
    events = SqliteEventStore.open(path.join(tmp.dir, 'events.sqlite'));
    reads = SqliteReadStore.open(file);
  });
  afterEach(async () => {
    await Promise.all([events.close(), reads.close()]);
    tmp.remove();
  });

  const retiredTables = () => {
    const db = new Database(file, { readonly: true });
    const names = db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'retired%'").pluck().all();
    db.close();
    return names;
  };
  const fileBytes = () =>
    ['', '-wal']
      .map((suffix) => (fs.existsSync(file + suffix) ? fs.readFileSync(file + suffix, 'latin1') : ''))
      .join('');

  it('serves the new model when the rebuild returns, and erases the old one after it', async () => {
    await events.append(
      's',
      Array.from({ length: 300 }, (_, n) => countedEvent(n)),
      { expectedRevision: 'no_stream' },
    );
    const first = new ProjectionRunner(events, reads, [labels(OLD)]);
    await first.start();
    await first.waitFor(await events.headPosition(), 5_000);
    await first.stop();

    const second = new ProjectionRunner(events, reads, [labels('NEW')]);
    await second.rebuild('labels');
    // The new model answers, indexed, while the old one still waits to be erased.
    expect(await reads.get('labels', 's-7')).toMatchObject({ label: 'NEW-7' });
    expect(await reads.count('labels', { label: 'NEW-299' })).toBe(1);
    expect(reads.explainFind('labels', { filter: { label: 'NEW-1' } }).join()).toContain('doc_labels__by_label');
    expect(retiredTables()).toHaveLength(1);
    expect(fileBytes()).toContain(OLD);

    await reads.eraseRetired();
    expect(retiredTables()).toEqual([]);
    expect(fileBytes()).not.toContain(OLD);
    expect(await reads.get('labels', 's-7')).toMatchObject({ label: 'NEW-7' });
  });
});
