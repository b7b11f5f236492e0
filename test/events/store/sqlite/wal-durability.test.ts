import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DurableBoundary } from '../../../../src/events/store/sqlite/durable-boundary.js';
import { EVENTS_SCHEMA } from '../../../../src/events/store/sqlite/event-schema.js';
import { logCommits, serialize, writtenSpan } from '../../../../src/events/store/sqlite/log-writes.js';
import { reached, WalDurability, type CommittedBatch } from '../../../../src/events/store/sqlite/wal-durability.js';
import { openSqliteFile } from '../../../../src/sqlite/open-database.js';
import { newEvent } from '../event-store.contract.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-wal-'));
  dirs.push(dir);
  return dir;
};

/** A committed batch whose outcome the test awaits. */
function batch(
  firstPosition: number,
  lastPosition = firstPosition,
): CommittedBatch & { outcome: Promise<'acknowledged' | Error> } {
  let settle!: (outcome: 'acknowledged' | Error) => void;
  const outcome = new Promise<'acknowledged' | Error>((resolve) => (settle = resolve));
  return {
    firstPosition,
    lastPosition,
    outcome,
    acknowledge: () => settle('acknowledged'),
    refuse: (error) => settle(error as Error),
  };
}

describe('WAL durability, fsyncs on the thread pool', () => {
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('acknowledges batches once fsynced, keeping the shared boundary at the first one not yet durable until then', async () => {
    const file = path.join(tempDir(), 'events.sqlite');
    fs.writeFileSync(`${file}-wal`, 'frames');
    const boundary = new DurableBoundary();
    let durableCalls = 0;
    let through = 0;
    const durability = new WalDurability(
      file,
      (upTo) => {
        durableCalls++;
        through = Math.max(through, upTo);
      },
      boundary,
    );
    durability.committing(7);
    const first = batch(7);
    durability.add(first);
    const second = batch(9, 12);
    durability.add(second);
    expect(boundary.get()).toBe(7);
    expect(await first.outcome).toBe('acknowledged');
    expect(await second.outcome).toBe('acknowledged');
    expect(boundary.get()).toBeUndefined();
    expect(durability.firstUnsynced).toBeUndefined();
    expect(durableCalls).toBeGreaterThanOrEqual(1);
    expect(through).toBe(12); // what was made durable, through its last position
    await durability.settled();
    await durability.close();
  });

  it('refuses what it could not make durable, and everything after it, naming only the error code', async () => {
    // No WAL file to open: the syncer fails as an fsync would.
    const file = path.join(tempDir(), 'events.sqlite');
    const boundary = new DurableBoundary();
    const durability = new WalDurability(file, () => undefined, boundary);
    durability.committing(3);
    const lost = batch(3);
    durability.add(lost);
    const refused = await lost.outcome;
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toBe('the event log could not be made durable (ENOENT)');
    // The boundary stays where durability was lost: readers deliver nothing past it.
    expect(boundary.get()).toBe(3);
    fs.writeFileSync(`${file}-wal`, 'frames');
    const later = batch(4);
    durability.add(later);
    expect(await later.outcome).toBe(durability.failure);
    await durability.settled();
    await durability.close();
  });

  /**
   * Commits appends to a real log and hands each commit to `durability` (as
   * the log's writers do), whose fsyncs run on the thread pool meanwhile.
   */
  const committer = (file: string, durability: WalDurability) => {
    const db = openSqliteFile(file, { synchronous: 'NORMAL', secureDelete: false });
    db.exec(EVENTS_SCHEMA);
    const commit = logCommits(db, (first) => durability.committing(first));
    let n = 0;
    return {
      db,
      append: () => {
        n++;
        const outcomes = commit([{ streamId: `s-${n}`, expected: 'no_stream', events: [serialize(newEvent(n))] }]);
        const span = writtenSpan(outcomes)!;
        const committed = batch(span.first, span.last);
        durability.add(committed);
        return committed;
      },
    };
  };

  it('acknowledges a commit made while an fsync runs only with the next fsync, which starts after it', async () => {
    const file = path.join(tempDir(), 'events.sqlite');
    const boundary = new DurableBoundary();
    const durability = new WalDurability(file, () => undefined, boundary);
    const log = committer(file, durability);
    const first = log.append();
    // The first's fdatasync is on the thread pool: this commit comes after it began.
    const second = log.append();
    let secondDone = false;
    void second.outcome.then(() => (secondDone = true));
    expect(boundary.get()).toBe(1);
    expect(await first.outcome).toBe('acknowledged');
    // The first's fsync did not cover the second: still not durable, nothing past the first is delivered.
    expect(secondDone).toBe(false);
    expect(boundary.get()).toBe(2);
    expect(boundary.durableThrough()).toBe(1);
    expect(await second.outcome).toBe('acknowledged');
    expect(boundary.get()).toBeUndefined();
    expect(boundary.durableThrough()).toBe(2);
    await durability.settled();
    await durability.close();
    log.db.close();
  });

  it('a failed fsync refuses the commits made while it ran as well, and acknowledges nothing after it', async () => {
    const file = path.join(tempDir(), 'events.sqlite');
    // The WAL as this durability sees it: a device that cannot be synced (EINVAL), as a failing disk would answer.
    const unsyncable = path.join(tempDir(), 'unsyncable.sqlite');
    fs.symlinkSync('/dev/null', `${unsyncable}-wal`);
    const boundary = new DurableBoundary();
    const durability = new WalDurability(unsyncable, () => undefined, boundary);
    const log = committer(file, durability);
    const first = log.append();
    const second = log.append(); // committed while the first's fsync runs
    for (const refused of [await first.outcome, await second.outcome]) {
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error).message).toBe('the event log could not be made durable (EINVAL)');
    }
    expect(boundary.get()).toBe(1); // where durability was lost: readers deliver nothing past it
    expect(boundary.durableThrough()).toBe(0);
    expect(await log.append().outcome).toBe(durability.failure);
    await durability.settled();
    await durability.close();
    log.db.close();
  });

  it('compares request numbers across 32-bit wrap-around', () => {
    expect(reached(5, 5)).toBe(true);
    expect(reached(6, 5)).toBe(true);
    expect(reached(4, 5)).toBe(false);
    const last = 2 ** 31 - 1;
    const wrapped = (last + 1) | 0;
    expect(reached(wrapped, last)).toBe(true);
    expect(reached(last, wrapped)).toBe(false);
  });
});

describe.each(['loop', 'thread'] as const)('the SQLite log, written on the %s', (writeOn) => {
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a process alive until its append is acknowledged and until the store has closed, then lets it exit', () => {
    const dir = tempDir();
    const script = path.join(dir, 'append-and-exit.mts');
    const store = new URL('../../../../src/events/store/sqlite/sqlite-event-store.ts', import.meta.url).href;
    fs.writeFileSync(
      script,
      `import { SqliteEventStore } from ${JSON.stringify(store)};
const store = SqliteEventStore.open(${JSON.stringify(path.join(dir, 'events.sqlite'))}, { writeOn: ${JSON.stringify(writeOn)} });
const event = (n: number) => ({ eventId: 'e-' + n, type: 'Tested', schemaVersion: 1, occurredAt: new Date(0).toISOString(), data: {}, metadata: { actor: { id: 'a', kind: 'user' }, correlationId: 'c' } });
await store.append('s-1', [event(1)], { expectedRevision: 'no_stream' });
// Later, with the writer idle:
setTimeout(async () => {
  const result = await store.append('s-1', [event(2)], { expectedRevision: 0 });
  console.log('acknowledged at', result.position);
  await store.close();
  console.log('closed');
}, 200);
`,
    );
    // Nothing but the pending append (then the close) holds the event loop: without the syncer's hold the process would exit silently first.
    const output = execFileSync(process.execPath, ['--import', 'tsx', script], {
      cwd: process.cwd(),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(output.trim().split('\n')).toEqual(['acknowledged at 2', 'closed']);
  });
});
