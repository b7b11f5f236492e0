import type Database from 'better-sqlite3';
import { RELEASED } from '../lease.js';
import type { DocChanges } from './doc-changes.js';
import { retire } from './retired-tables.js';

/**
 * SqliteReadStore.promote's one IMMEDIATE transaction: move each live table
 * aside (erased after the switch, ./retired-tables.ts: dropping it here
 * zeroed all of it inside the switch), rename the staged one in its place
 * (its indexes follow it), move the checkpoint, bump the lease's token.
 * Readers in WAL mode keep reading the old tables until it commits, then
 * see the new ones.
 */
export function promoteTables(
  db: Database.Database,
  changes: DocChanges,
  name: string,
  checkpoint: string,
  pairs: ReadonlyArray<{ from: string; to: string }>,
): void {
  db.transaction(() => {
    const position = db.prepare('SELECT position FROM _checkpoints WHERE name = ?').pluck().get(checkpoint) as
      number | undefined;
    if (position === undefined) throw new Error(`nothing staged under checkpoint "${checkpoint}"`);
    for (const { from, to } of pairs) {
      retire(db, to);
      db.exec(`ALTER TABLE ${from} RENAME TO ${to}`);
      changes.note(from, null);
      changes.note(to, null);
    }
    changes.record();
    db.prepare(
      'INSERT INTO _checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
    ).run(name, position);
    db.prepare('DELETE FROM _checkpoints WHERE name = ?').run(checkpoint);
    // Also released: no worker holds the new token, so none must wait out the old grant's time to live.
    db.prepare('UPDATE _leases SET token = token + 1, expires_at = ? WHERE name = ?').run(RELEASED, name);
  }).immediate();
}
