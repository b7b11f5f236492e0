import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecentEvents, type BoundedRead } from '../../../../src/events/store/sqlite/recent-events.js';
import { SqliteEventStore } from '../../../../src/events/store/sqlite/sqlite-event-store.js';
import { newEvent } from '../event-store.contract.js';

/** Over a real log, read through a counter of the rows that came out of it. */
describe('the newest stretch of the log, shared by subscriptions', () => {
  let dir: string;
  let store: SqliteEventStore;
  let rowsRead = 0;
  /** the log's own answer, for comparison */
  let direct: BoundedRead;
  let counted: BoundedRead;

  const appendEvents = async (count: number) => {
    for (let i = 0; i < count; i++) await store.append(`s-${i % 7}`, [newEvent(i)], { expectedRevision: 'any' });
  };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-recent-'));
    store = SqliteEventStore.open(path.join(dir, 'events.sqlite'), { pollIntervalMs: 600_000 });
    rowsRead = 0;
    await appendEvents(120);
    // BoundedRead is synchronous (as better-sqlite3 is): the log is read once here, and served from that copy.
    const log = await store.readAll();
    const read: BoundedRead = (position, bound, maxCount) =>
      log.filter((e) => e.position > position && (bound === undefined || e.position < bound)).slice(0, maxCount);
    direct = read;
    counted = (position, bound, maxCount) => {
      const rows = read(position, bound, maxCount);
      rowsRead += rows.length;
      return rows;
    };
  });

  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers exactly as the log would, whatever the position, bound and count asked', () => {
    const recent = new RecentEvents(counted, 16);
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const position = random(125);
      const bound = random(3) === 0 ? undefined : position + 1 + random(60);
      const maxCount = 1 + random(40);
      expect(recent.readAfter(position, bound, maxCount)).toEqual(direct(position, bound, maxCount));
    }
  });

  it('seven subscriptions woken apart, each up to its own bound, read each event from the log once', () => {
    const recent = new RecentEvents(counted);
    const positions = Array.from({ length: 7 }, () => 0);
    // The durable bound moves on between one subscription's read and the next, as under load.
    for (let bound = 10; bound <= 130; bound += 10) {
      for (let s = 0; s < 7; s++) {
        const batch = recent.readAfter(positions[s]!, bound + s, 500);
        expect(batch).toEqual(direct(positions[s]!, bound + s, 500));
        if (batch.length > 0) positions[s] = batch.at(-1)!.position;
      }
    }
    expect(positions.every((p) => p === 120)).toBe(true);
    expect(rowsRead).toBe(120);
  });

  it('a subscription far behind reads the log itself, and the others keep being answered from the stretch', () => {
    const recent = new RecentEvents(counted, 16);
    expect(recent.readAfter(100, undefined, 500)).toHaveLength(20);
    expect(recent.readAfter(0, undefined, 10)).toEqual(direct(0, undefined, 10)); // far behind: read from the log
    const before = rowsRead;
    expect(recent.readAfter(110, undefined, 500)).toEqual(direct(110, undefined, 500));
    expect(rowsRead).toBe(before); // still the stretch after 100
  });

  it('keeps only the newest events once the stretch is long, and reads older ones from the log again', () => {
    const recent = new RecentEvents(counted, 10);
    for (let position = 0; position < 120; position += 5) recent.readAfter(position, undefined, 5);
    expect(rowsRead).toBe(120);
    expect(recent.readAfter(0, undefined, 5)).toEqual(direct(0, undefined, 5));
    expect(rowsRead).toBe(125);
  });
});

describe('the newest stretch of a log that grows', () => {
  it('reads only what was appended since, and only once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-recent-'));
    const store = SqliteEventStore.open(path.join(dir, 'events.sqlite'), { pollIntervalMs: 600_000 });
    try {
      let log = await store.readAll();
      let rowsRead = 0;
      const recent = new RecentEvents((position, bound, maxCount) => {
        const rows = log
          .filter((e) => e.position > position && (bound === undefined || e.position < bound))
          .slice(0, maxCount);
        rowsRead += rows.length;
        return rows;
      });
      expect(recent.readAfter(0, undefined, 100)).toEqual([]);
      await store.append('s-1', [newEvent(1), newEvent(2)], { expectedRevision: 'no_stream' });
      log = await store.readAll();
      expect(recent.readAfter(0, undefined, 100).map((e) => e.position)).toEqual([1, 2]);
      await store.append('s-1', [newEvent(3)], { expectedRevision: 1 });
      log = await store.readAll();
      expect(recent.readAfter(0, undefined, 100).map((e) => e.position)).toEqual([1, 2, 3]);
      expect(recent.readAfter(2, undefined, 100).map((e) => e.position)).toEqual([3]);
      expect(rowsRead).toBe(3);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
