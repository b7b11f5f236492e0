import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/events/store/sqlite/sqlite-event-store.js';
import { newEvent } from '../events/store/event-store.contract.js';
import { createPreviousFormatLog } from '../events/store/sqlite/earlier-log-format.js';
import { CHILD_PROCESS_TEST_TIMEOUT_MS, runCli } from '../server/child.js';
import { tempDataDir } from '../server/harness.js';

describe('privacy-ledger upgrade-log', { timeout: CHILD_PROCESS_TEST_TIMEOUT_MS }, () => {
  it('rewrites a log of the previous format with its events unchanged, and says so; a second run has nothing to do', async () => {
    const data = tempDataDir('pl-upgrade-log-');
    try {
      const file = path.join(data.dir, 'events.sqlite');
      createPreviousFormatLog(file);
      const before = SqliteEventStore.open(file);
      await before.append('s-1', [newEvent(1), newEvent(2)], { expectedRevision: 'no_stream' });
      const written = await before.readAll();
      await before.close();

      const upgraded = runCli(['upgrade-log', '--data-dir', data.dir]);
      expect(upgraded.stderr).toBe('');
      expect(upgraded.code).toBe(0);
      expect(upgraded.stdout).toContain('events.sqlite upgraded: 2 events rewritten');
      expect(runCli(['upgrade-log', '--data-dir', data.dir]).stdout).toContain('already in the current format');

      const after = SqliteEventStore.open(file);
      try {
        expect(await after.readAll()).toEqual(written);
      } finally {
        await after.close();
      }
    } finally {
      data.remove();
    }
  });
});
