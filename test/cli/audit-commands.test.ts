import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHILD_PROCESS_TEST_TIMEOUT_MS, runCli } from '../server/child.js';
import { aPublisher, REGISTER, startTestServer, tempDataDir, UPDATE } from '../server/harness.js';

describe('privacy-ledger export and replay', { timeout: CHILD_PROCESS_TEST_TIMEOUT_MS }, () => {
  let data: ReturnType<typeof tempDataDir>;
  let publisherId: string;
  let history: unknown[];
  beforeAll(async () => {
    data = tempDataDir('pl-cli-audit-');
    const server = await startTestServer(data.dir);
    try {
      publisherId = (await server.gql(REGISTER, { input: aPublisher() })).data!['registerPublisher'].publisher.id;
      await server.gql(UPDATE, {
        input: { id: publisherId, expectedVersion: 1, contact: { email: 'han@contoso.cn' } },
      });
      history = await server.ledger.services.history.all({ kind: 'publisher', id: publisherId });
    } finally {
      await server.close();
    }
  });
  afterAll(() => data.remove());

  it('export writes JSONL to stdout that reads back as the history', () => {
    const result = runCli(['export', '--publisher', publisherId, '--format', 'jsonl', '--data-dir', data.dir]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(
      result.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown),
    ).toEqual(history);
  });

  it('export --out writes CSV to a file only its owner can read; --from narrows it', () => {
    const out = path.join(data.dir, 'export.csv');
    const result = runCli([
      'export',
      `--publisher=${publisherId}`,
      '--format',
      'csv',
      '--out',
      out,
      '--data-dir',
      data.dir,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(fs.readFileSync(out, 'utf8')).toContain('han@contoso.cn');
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    const later = runCli([
      'export',
      '--publisher',
      publisherId,
      '--from',
      '2999-01-01T00:00:00Z',
      '--data-dir',
      data.dir,
    ]);
    expect(later).toMatchObject({ code: 0, stdout: '' });
  });

  it('replay prints the history as a timeline', () => {
    const result = runCli(['replay', '--publisher', publisherId, '--data-dir', data.dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`publisher ${publisherId} #0 \\(position 2\\)  PublisherRegistered  by `));
    expect(result.stdout).toContain('    contact.email: "li.lei@contoso.cn" -> "han@contoso.cn"');
  });

  it('bad arguments and unknown publishers are one clear sentence and exit code 2', () => {
    const bad = (args: string[]) => runCli([...args, '--data-dir', data.dir]);
    expect(bad(['export', '--publisher', publisherId, '--format', 'xml']).stderr).toBe(
      'privacy-ledger: --format must be jsonl or csv.\n',
    );
    expect(bad(['export']).stderr).toContain('--publisher <id> is required.');
    expect(bad(['replay', '--publisher', publisherId, '--verbose']).stderr).toContain(
      'unknown option --verbose for replay',
    );
    const unknown = bad(['replay', '--publisher', '0190f5a2-7b3c-7d4e-8f60-00000000ffff']);
    expect(unknown).toMatchObject({
      code: 2,
      stderr: 'privacy-ledger: publisher 0190f5a2-7b3c-7d4e-8f60-00000000ffff was not found\n',
    });
  });
});
