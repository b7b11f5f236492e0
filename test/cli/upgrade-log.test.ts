import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/events/store/sqlite/sqlite-event-store.js';
import { newEvent } from '../events/store/event-store.contract.js';
import { createPreviousFormatLog } from '../events/store/sqlite/earlier-log-format.js';
import { CHILD_PROCESS_TEST_TIMEOUT_MS, runCli } from '../server/child.js';
import { aPublisher, REGISTER, startTestServer, tempDataDir } from '../server/harness.js';

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

  it('on a ledger served from a log of the previous format, doctor points at upgrade-log; after it the ledger verifies and doctor has nothing to say about the format', async () => {
    const data = tempDataDir('pl-upgrade-log-');
    try {
      createPreviousFormatLog(path.join(data.dir, 'events.sqlite'));
      const server = await startTestServer(data.dir);
      await server.gql(REGISTER, { input: aPublisher() });
      await server.close();
      const hint = 'the log is in an earlier file format';

      const before = runCli(['doctor', '--data-dir', data.dir]);
      expect(before.code).toBe(0);
      expect(before.stdout).toMatch(new RegExp(`^warn +event store: ${hint}.*privacy-ledger upgrade-log`, 'm'));

      expect(runCli(['upgrade-log', '--data-dir', data.dir]).code).toBe(0);
      const verified = runCli(['verify', '--data-dir', data.dir]);
      expect(verified.code).toBe(0);
      expect(verified.stdout).toContain('every link holds');
      expect(runCli(['doctor', '--data-dir', data.dir]).stdout).not.toContain(hint);
    } finally {
      data.remove();
    }
  });
});
