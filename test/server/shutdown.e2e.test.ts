import { describe, expect, it } from 'vitest';
import { runCli, serveChild } from './child.js';
import { authHeader, postGraphql, PUBLISHER, tempDataDir } from './harness.js';

describe('process lifecycle', () => {
  it('SIGTERM lets an in-flight request finish, then exits cleanly', async () => {
    const data = tempDataDir('pl-term-');
    try {
      const { child, url, exited, logs } = await serveChild(data.dir, { READ_YOUR_WRITES_TIMEOUT_MS: '1500' });
      // A read-your-writes wait for a position nobody will write keeps the request in flight.
      const inFlight = postGraphql<any>(
        url,
        PUBLISHER,
        { id: '0190f5a2-7b3c-7d4e-8f60-000000000000', minPosition: '999999' },
        await authHeader(data.dir, { role: 'operator' }),
      );
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGTERM');
      const answer = await inFlight;
      expect(answer.errors?.[0]?.extensions?.['code']).toBe('TIMEOUT');
      expect(await exited).toBe(0);
      expect(logs.join('\n')).toContain('privacy-ledger stopped');
      await expect(fetch(url)).rejects.toThrow();
    } finally {
      data.remove();
    }
  });

  it.each([
    [['serve', '--port', 'eighty'], '--port / PORT must be a whole number from 0 to 65535'],
    [['serve', '--log-level', 'loud'], '--log-level / LOG_LEVEL must be one of'],
    [['serve', '--master-key', 'dG9vLXNob3J0'], 'PRIVACY_LEDGER_MASTER_KEY'],
    [['launch'], 'unknown command "launch"'],
  ])('a bad configuration (%j) stops start-up with one sentence and no stack', (args, sentence) => {
    const data = tempDataDir('pl-cfg-');
    try {
      const result = runCli([...args, '--data-dir', data.dir]);
      expect(result.code).toBe(2);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(sentence);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stderr).not.toContain('dG9vLXNob3J0');
    } finally {
      data.remove();
    }
  });
});
