import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { CHILD_PROCESS_TEST_TIMEOUT_MS, runCli, serveChild } from '../server/child.js';
import { startTestServer, tempDataDir } from '../server/harness.js';
import { recordAnEdit } from '../server/privacy-scenario.js';

const at = (iso: string): Clock => ({ now: () => new Date(iso) });

describe('privacy-ledger retention', { timeout: CHILD_PROCESS_TEST_TIMEOUT_MS }, () => {
  it('privacy-ledger retention destroys the months past --retention-days and says which', async () => {
    const data = tempDataDir('pl-retention-cli-');
    try {
      const server = await startTestServer(data.dir, {}, { clock: at('2025-06-10T12:00:00.000Z') });
      await recordAnEdit(server);
      await server.close();
      const result = runCli(['retention', '--data-dir', data.dir, '--retention-days', '30']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('retention 30 days');
      expect(result.stdout).toContain('destroyed retention/2025-06');
      expect(runCli(['retention', '--data-dir', data.dir, '--retention-days', '30']).stdout).toContain(
        'nothing to destroy',
      );
    } finally {
      data.remove();
    }
  });

  it('refuses to run beside a live server on the same data directory (the server caches keys)', async () => {
    const data = tempDataDir('pl-retention-cli-');
    try {
      const { child, exited } = await serveChild(data.dir);
      const result = runCli(['retention', '--data-dir', data.dir]);
      child.kill('SIGTERM');
      await exited;
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        'applies retention itself (at start and daily); stop it before running retention by hand',
      );
    } finally {
      data.remove();
    }
  });
});
