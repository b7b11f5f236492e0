import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ensureIndexes } from '../../../../src/projections/store/sqlite/sqlite-indexes.js';

const rankOf = (i: number) => (i * 7919) % 1000;
const rank = new Set(['rank']);

/** A table as a bulk load leaves it: rows first, its indexes after. */
function loaded(rows: number): Database.Database {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE doc_t (id TEXT PRIMARY KEY, body TEXT NOT NULL, "f.rank" INTEGER)');
  const insert = db.prepare('INSERT INTO doc_t (id, body, "f.rank") VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`d${i}`, '{}', rankOf(i));
  })();
  return db;
}

describe('SQLite read store: indexes built over rows already loaded', () => {
  it('an index built over loaded rows reads in order, and leaves the connection without sorter threads (those are for builds)', () => {
    const db = loaded(50_000);
    ensureIndexes(db, 'doc_t', [{ name: 'by_rank', fields: [{ field: 'rank', direction: 'desc' }] }], rank);
    const top = 'SELECT id FROM doc_t ORDER BY "f.rank" DESC, id ASC LIMIT 5';
    expect(JSON.stringify(db.prepare(`EXPLAIN QUERY PLAN ${top}`).all())).toMatch(
      /USING (COVERING )?INDEX doc_t__by_rank/,
    );
    const expected = Array.from({ length: 50_000 }, (_, i) => ({ id: `d${i}`, rank: rankOf(i) }))
      .sort((a, b) => b.rank - a.rank || (a.id < b.id ? -1 : 1))
      .slice(0, 5)
      .map((row) => row.id);
    expect(db.prepare(top).pluck().all()).toEqual(expected);
    expect(db.pragma('threads', { simple: true })).toBe(0);
  });

  it('a build that fails leaves no sorter thread either, and no index', () => {
    const db = loaded(2_000); // each rank twice
    expect(() =>
      ensureIndexes(db, 'doc_t', [{ name: 'one_rank', unique: true, fields: [{ field: 'rank' }] }], rank),
    ).toThrow(/UNIQUE/);
    expect(db.pragma('threads', { simple: true })).toBe(0);
    expect(
      db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'doc_t__one_rank'").pluck().get(),
    ).toBe(0);
  });
});
