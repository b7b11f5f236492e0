import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../src/events/store/event-envelope.js';
import { SqliteEventStore } from '../../../src/events/store/sqlite/sqlite-event-store.js';
import { foldDocuments, type ProjectedDoc } from '../../../src/projections/document-projection.js';
import { ProjectionRunner } from '../../../src/projections/runner/projection-runner.js';
import { SqliteReadStore } from '../../../src/projections/store/sqlite/sqlite-read-store.js';
import { countedEvent, tempDir } from '../fixtures.js';

/** One document per stream; `per` is what each event adds, so two builds of the "same" projection fold differently. */
interface TallyDoc extends ProjectedDoc {
  tally: number;
}
const tallies = (per: number, shape?: number) =>
  foldDocuments<TallyDoc, RecordedEvent>({
    select: (event) => event,
    name: 'tallies',
    ...(shape ? { shape } : {}),
    collection: { name: 'tallies' },
    documentId: (event) => event.streamId,
    evolve: (doc, event) => ({ id: event.streamId, tally: (doc?.tally ?? 0) + per }),
  });

describe('read model shapes', () => {
  let tmp: ReturnType<typeof tempDir>;
  let events: SqliteEventStore;
  let reads: SqliteReadStore;

  beforeEach(() => {
    tmp = tempDir('pl-shape-');
    events = SqliteEventStore.open(path.join(tmp.dir, 'events.sqlite'));
    reads = SqliteReadStore.open(path.join(tmp.dir, 'read.sqlite'));
  });
  afterEach(async () => {
    await Promise.all([events.close(), reads.close()]);
    tmp.remove();
  });

  /** Runs a build of the projection until it has projected the whole log, then stops it. */
  async function runBuild(projection: ReturnType<typeof tallies>): Promise<void> {
    const runner = new ProjectionRunner(events, reads, [projection]);
    await runner.start();
    await runner.waitFor(await events.headPosition(), 5_000);
    await runner.stop();
  }

  it('a build with a newer shape rebuilds the older read model from the log before following it', async () => {
    const first = await events.append('s-1', [countedEvent(0), countedEvent(1)], { expectedRevision: 'no_stream' });
    await runBuild(tallies(1)); // a released build, before shapes were marked
    expect(await reads.get('tallies', 's-1')).toMatchObject({ tally: 2 });

    await events.append('s-1', [countedEvent(2)], { expectedRevision: first.nextExpectedRevision });
    await runBuild(tallies(10, 2)); // the upgrade folds differently and says so
    // every event folded by the new build, none by the old one: 3 x 10, not 2 + 10
    expect(await reads.get('tallies', 's-1')).toMatchObject({ tally: 30 });

    await runBuild(tallies(10, 2)); // the next start finds the new shape and only follows
    expect(await reads.get('tallies', 's-1')).toMatchObject({ tally: 30 });
  });

  it('a build of the same shape follows the stored read model without rebuilding it', async () => {
    await events.append('s-1', [countedEvent(0)], { expectedRevision: 'no_stream' });
    await runBuild(tallies(1, 2));
    await runBuild(tallies(10, 2)); // same shape declared: the stored documents are trusted as they are
    expect(await reads.get('tallies', 's-1')).toMatchObject({ tally: 1 });
  });

  it('an older build after a newer one rebuilds to its own shape rather than fold into documents it does not know', async () => {
    await events.append('s-1', [countedEvent(0)], { expectedRevision: 'no_stream' });
    await runBuild(tallies(10, 3));
    await runBuild(tallies(1, 2));
    expect(await reads.get('tallies', 's-1')).toMatchObject({ tally: 1 });
    await runBuild(tallies(1, 2));
    expect(await reads.get('tallies', 's-1')).toMatchObject({ tally: 1 });
  });
});
