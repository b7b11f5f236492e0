import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as immediate } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WriteOp } from '../../../../src/projections/store/read-store.js';
import { SqliteReadStore } from '../../../../src/projections/store/sqlite/sqlite-read-store.js';
import { tempDir } from '../../fixtures.js';

/** A value no other row shares, to search the file's bytes for. */
const SECRET = 'OLD-MODEL-13800138000-zhang.san@example.cn';
const padding = 'x'.repeat(400);
const BY_OWNER = [{ name: 'by_owner', fields: [{ field: 'owner' }] }];

const upserts = (collection: string, count: number, owner: (i: number) => string): WriteOp[] =>
  Array.from({ length: count }, (_, i) => ({
    kind: 'upsert' as const,
    collection,
    doc: { id: `d${i}`, owner: owner(i), padding },
  }));

describe('SQLite: a model moved aside is erased after, in steps', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  beforeEach(() => {
    tmp = tempDir('pl-retired-');
    file = path.join(tmp.dir, 'read.sqlite');
  });
  afterEach(() => tmp.remove());

  /** What another connection reads from the file. */
  const inFile = <T>(read: (db: Database.Database) => T): T => {
    const db = new Database(file, { readonly: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  };
  /** The retired tables, with how many rows each still holds. */
  const retired = (): Array<{ name: string; rows: number }> =>
    inFile((db) =>
      (
        db
          .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'retired%'")
          .pluck()
          .all() as string[]
      ).map((name) => ({ name, rows: db.prepare(`SELECT COUNT(*) FROM ${name}`).pluck().get() as number })),
    );
  const fileBytes = () =>
    ['', '-wal']
      .map((suffix) => (fs.existsSync(file + suffix) ? fs.readFileSync(file + suffix, 'latin1') : ''))
      .join('');

  /** A store whose `people` model holds SECRET in one document among `count`, moved aside by a reset. */
  async function movedAside(count = 50): Promise<SqliteReadStore> {
    const store = SqliteReadStore.open(file);
    await store.ensureCollection('people', BY_OWNER);
    await store.write(
      upserts('people', count, (i) => (i === 7 ? SECRET : `owner-${i}`)),
      { name: 'p', position: 1 },
    );
    await store.reset('p', ['people'], { aside: true });
    return store;
  }

  /** The old model is aside, whole, until eraseRetired; then neither it nor SECRET is anywhere in the file. */
  async function expectAsideUntilErased(store: SqliteReadStore): Promise<void> {
    expect(retired()).toEqual([{ name: expect.stringMatching(/^retired_/), rows: 50 }]);
    expect(fileBytes()).toContain(SECRET);
    await store.eraseRetired();
    expect(retired()).toEqual([]);
    expect(fileBytes()).not.toContain(SECRET);
  }

  it('reset aside empties the model at once and leaves the old one whole until it is erased, then nowhere in the file', async () => {
    const store = await movedAside();
    expect(await store.count('people')).toBe(0);
    expect(await store.getCheckpoint('p')).toBeNull();
    await expectAsideUntilErased(store);
    await store.close();
  });

  it('erases in small steps, and queries are answered between them', async () => {
    const store = await movedAside(6000);
    await store.write(upserts('others', 1, () => 'someone'));
    const seen = new Set<number>();
    let erased = false;
    const erasing = store.eraseRetired().then(() => (erased = true));
    let queries = 0;
    while (!erased) {
      expect(await store.count('others')).toBe(1);
      queries++;
      const [left] = retired();
      if (left) seen.add(left.rows);
      await immediate();
    }
    await erasing;
    // the 6,000 rows went a few at a time: several counts strictly between all and none were seen between queries
    expect([...seen].filter((rows) => rows > 0 && rows < 6000).length).toBeGreaterThanOrEqual(3);
    expect(queries).toBeGreaterThan(5);
    expect(retired()).toEqual([]);
    expect(fileBytes()).not.toContain(SECRET);
    await store.close();
  });

  it('a model left aside by a crash is erased at the next open', async () => {
    const store = await movedAside();
    await store.close(); // as a crash would: nothing erased it
    expect(retired()).toHaveLength(1);
    expect(fileBytes()).toContain(SECRET);

    const reopened = SqliteReadStore.open(file);
    await expect.poll(() => retired(), { timeout: 10_000 }).toEqual([]);
    await reopened.eraseRetired(); // the background run's WAL truncation is done too
    expect(fileBytes()).not.toContain(SECRET);
    await reopened.close();
  });

  it('a write that erases a document does not resolve while a retired copy is left', async () => {
    const store = await movedAside();
    // the new model holds the person without the value; then the person is erased
    await store.write(upserts('people', 50, (i) => `owner-${i}`));
    expect(retired()).toEqual([{ name: expect.stringMatching(/^retired_/), rows: 50 }]);
    expect(fileBytes()).toContain(SECRET);
    await store.write([{ kind: 'delete', collection: 'people', id: 'd7', erase: true }]);
    // at once: no background run was asked for, the erasure's own write erased the old copy
    expect(retired()).toEqual([]);
    expect(fileBytes()).not.toContain(SECRET);
    await store.close();
  });

  it('promote moves the replaced live model aside: the switch does not erase it', async () => {
    const store = await movedAside();
    await store.write(
      upserts('people', 50, (i) => (i === 7 ? SECRET : `owner-${i}`)),
      { name: 'p', position: 1 },
    );
    await store.write(
      upserts('people_staged', 50, (i) => `owner-${i}`),
      { name: 'p:staged', position: 2 },
    );
    await store.eraseRetired();
    await store.promote('p', { checkpoint: 'p:staged', collections: [{ staged: 'people_staged', live: 'people' }] });
    expect(await store.get('people', 'd7')).toMatchObject({ owner: 'owner-7' });
    await expectAsideUntilErased(store);
    await store.close();
  });

  it('builds an index whose name a retired table still holds under another name, and finds it there afterwards', async () => {
    const store = await movedAside();
    await store.ensureCollection('people', BY_OWNER);
    await store.write(upserts('people', 50, (i) => `owner-${i}`));
    const indexes = () =>
      inFile((db) =>
        db
          .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'doc_people' AND sql IS NOT NULL",
          )
          .pluck()
          .all(),
      );
    expect(indexes()).toEqual(['doc_people__by_owner_r1']);
    expect(store.explainFind('people', { filter: { owner: 'owner-3' } }).join()).toContain('doc_people__by_owner_r1');
    await store.eraseRetired();
    await store.ensureCollection('people', BY_OWNER); // the name is free now: the index is not built again
    expect(indexes()).toEqual(['doc_people__by_owner_r1']);
    await store.close();
  });
});
