import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../server/child.js';
import { tempDataDir } from '../server/harness.js';

/** One sentence on stderr, nothing on stdout, exit 2. */
function refusedWith(result: ReturnType<typeof runCli>, sentence: string): void {
  expect(result.stderr).toContain(sentence);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stdout).toBe('');
  expect(result.code).toBe(2);
}

describe('configuration that refuses mistakes', () => {
  it('an unknown flag is refused with the closest known one, instead of serving on the default port', () => {
    const data = tempDataDir('pl-config-');
    try {
      refusedWith(
        runCli(['serve', '--prot', '4151', '--data-dir', data.dir]),
        'unknown option --prot for serve. Did you mean --port?',
      );
      refusedWith(runCli(['status', '--data-dri', data.dir]), 'Did you mean --data-dir?');
      refusedWith(runCli(['token', '--rol', 'member', '--data-dir', data.dir]), 'Did you mean --role?');
      refusedWith(
        runCli(['verify', '--publisher', 'x', '--data-dir', data.dir]),
        'unknown option --publisher for verify',
      );
      refusedWith(runCli(['stauts', '--data-dir', data.dir]), 'unknown command "stauts". Did you mean status?');
    } finally {
      data.remove();
    }
  });

  it('an unknown PRIVACY_LEDGER_ variable is refused with the setting it probably meant', () => {
    const data = tempDataDir('pl-config-');
    try {
      refusedWith(
        runCli(['status', '--data-dir', data.dir], { PRIVACY_LEDGER_PORT: '4151' }),
        'unknown environment variable PRIVACY_LEDGER_PORT. Did you mean PORT?',
      );
      refusedWith(
        runCli(['status', '--data-dir', data.dir], { PRIVACY_LEDGER_MASTER_KY: 'x' }),
        'Did you mean PRIVACY_LEDGER_MASTER_KEY?',
      );
    } finally {
      data.remove();
    }
  });

  it('start-up errors name the path, port or host and say what to do', async () => {
    const data = tempDataDir('pl-config-');
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const file = path.join(data.dir, 'not-a-dir');
      fs.writeFileSync(file, '');
      refusedWith(
        runCli(['serve', '--port', '0', '--data-dir', file]),
        `the data directory ${file} is a file, not a directory`,
      );
      // Node's recursive mkdir never returns under /proc: this one must answer at once.
      refusedWith(
        runCli(['serve', '--port', '0', '--data-dir', '/proc/x/ledger']),
        'cannot create the data directory /proc/x/ledger',
      );
      const port = (blocker.address() as net.AddressInfo).port;
      const inUse = runCli(['serve', '--port', String(port), '--data-dir', path.join(data.dir, 'a')]);
      expect(inUse.code).toBe(2);
      expect(inUse.stderr).toContain(`port ${port} is already in use on 127.0.0.1`);
      expect(inUse.stderr).toContain('choose another port with --port or PORT');
      const badHost = runCli([
        'serve',
        '--port',
        '0',
        '--host',
        'no-such-host.invalid',
        '--data-dir',
        path.join(data.dir, 'b'),
      ]);
      expect(badHost.code).toBe(2);
      expect(badHost.stderr).toContain(
        'the host "no-such-host.invalid" does not resolve to an address: set --host or HOST',
      );
      expect(badHost.stderr).not.toContain('getaddrinfo');
    } finally {
      blocker.close();
      data.remove();
    }
  }, 60_000);
});

describe('read-only commands on a missing ledger', () => {
  it.each([
    [['verify']],
    [['status']],
    [['token', '--role', 'member']],
    [['export', '--publisher', '0d5e7a11-0000-4000-8000-00000000f00d']],
    [['replay', '--publisher', '0d5e7a11-0000-4000-8000-00000000f00d']],
    [['retention']],
    [['rebuild']],
    [['rotate-master-key']],
    [['upgrade-log']],
  ])('%j says there is no ledger there, exits non-zero and creates nothing', (args) => {
    const data = tempDataDir('pl-config-');
    try {
      const mistyped = path.join(data.dir, 'dtaa');
      refusedWith(runCli([...args, '--data-dir', mistyped]), `no ledger in ${mistyped}`);
      expect(fs.existsSync(mistyped)).toBe(false);
    } finally {
      data.remove();
    }
  });

  it('from a subfolder of the checkout, the default ledger is the one in the checkout root, and nothing is created in the subfolder', () => {
    const { DATA_DIR: _ignored, ...env } = process.env;
    const sub = path.join(repoRoot, 'src');
    const fromRoot = runCli(['status'], env as Record<string, string>, repoRoot);
    const fromSub = runCli(['status'], env as Record<string, string>, sub);
    expect(fs.existsSync(path.join(sub, 'data'))).toBe(false);
    // The same ledger either way: the same answer (or the same refusal naming <checkout>/data).
    expect(fromSub.code).toBe(fromRoot.code);
    if (fromRoot.code !== 0) expect(fromSub.stderr).toContain(`no ledger in ${path.join(repoRoot, 'data')}`);
    else expect(fromSub.stdout.split('\n')[0]).toBe(fromRoot.stdout.split('\n')[0]);
  });
});
