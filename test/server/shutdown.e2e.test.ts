import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { CHILD_PROCESS_TEST_TIMEOUT_MS, runCli, serveChild } from './child.js';
import { authHeader, PUBLISHER, tempDataDir } from './harness.js';

describe('process lifecycle', { timeout: CHILD_PROCESS_TEST_TIMEOUT_MS }, () => {
  it('SIGTERM lets an in-flight request finish, then exits cleanly', async () => {
    const data = tempDataDir('pl-term-');
    try {
      const { child, url, exited, logs } = await serveChild(data.dir, { READ_YOUR_WRITES_TIMEOUT_MS: '1500' });
      // A read-your-writes wait for a position nobody will write keeps the request in flight.
      const inFlight = post(
        url,
        { query: PUBLISHER, variables: { id: '0190f5a2-7b3c-7d4e-8f60-000000000000', minPosition: '999999' } },
        await authHeader(data.dir, { role: 'operator' }),
      );
      // Not a fixed sleep (a loaded machine can take longer to deliver it): once its bytes are with the
      // kernel, a request on a connection opened after it is read after it, so when that one is answered
      // the first is in flight.
      await inFlight.sent;
      expect((await fetch(new URL('/healthz', url))).status).toBe(200);
      child.kill('SIGTERM');
      const answer = await inFlight.answer;
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

/** A JSON POST over node:http: `sent` settles once the whole request is handed to the kernel, `answer` with the parsed reply. */
function post(url: string, body: unknown, headers: Record<string, string>) {
  const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } });
  const sent = new Promise<void>((resolve) => req.once('finish', resolve));
  const answer = new Promise<any>((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      let text = '';
      res
        .setEncoding('utf8')
        .on('data', (chunk: string) => (text += chunk))
        .once('end', () => resolve(JSON.parse(text)));
    });
  });
  req.end(JSON.stringify(body));
  return { sent, answer };
}
