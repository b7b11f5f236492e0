import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { CHILD_PROCESS_TEST_TIMEOUT_MS, runCli } from '../server/child.js';
import { aPublisher, REGISTER, startTestServer, tempDataDir } from '../server/harness.js';

// `privacy-ledger doctor` as a real process against the embedded shape (the only one that runs here).
describe('privacy-ledger doctor', { timeout: CHILD_PROCESS_TEST_TIMEOUT_MS }, () => {
  async function servedDataDir() {
    const data = tempDataDir('pl-doctor-');
    const server = await startTestServer(data.dir);
    await server.gql(REGISTER, { input: aPublisher() });
    const head = await server.ledger.events.headPosition();
    await server.ledger.runner.waitFor(head, 5_000);
    await server.close();
    return { data, head };
  }

  it('says, one line each, what holds on a healthy data directory, and exits 0', async () => {
    const { data, head } = await servedDataDir();
    try {
      const result = runCli(['doctor', '--data-dir', data.dir]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('shape: log on SQLite, read models and keys on SQLite');
      expect(result.stdout).toMatch(/^ok +data directory: .* is 0700, its \d+ files owner-only$/m);
      expect(result.stdout).toMatch(/^ok +master key: master\.key matches the key store$/m);
      expect(result.stdout).toMatch(
        new RegExp(
          `^ok +event store: readable; head at position ${head}, hash chain head [0-9a-f]{16}… \\(stream \\w+, revision \\d+\\)$`,
          'm',
        ),
      );
      expect(result.stdout).toMatch(new RegExp(`^ok +projection publishers: checkpoint ${head}, lag 0, `, 'm'));
      expect(result.stdout).toContain('nothing to fix');
    } finally {
      data.remove();
    }
  });

  it('fails, naming what to fix, on a file others can read and on a master key that is not the key store’s', async () => {
    const { data } = await servedDataDir();
    try {
      fs.chmodSync(path.join(data.dir, 'keys.sqlite'), 0o644);
      const open = runCli(['doctor', '--data-dir', data.dir]);
      expect(open.code).toBe(1);
      expect(open.stdout).toMatch(/^FAIL {2}data directory: .*readable by others: keys\.sqlite/m);

      const wrongKey = runCli(['doctor', '--data-dir', data.dir], {
        PRIVACY_LEDGER_MASTER_KEY: randomBytes(32).toString('base64'),
      });
      expect(wrongKey.code).toBe(1);
      expect(wrongKey.stdout).toMatch(/^FAIL {2}master key: it does not match the key store/m);
      expect(wrongKey.stdout).toMatch(/^1 to fix$/m);
    } finally {
      data.remove();
    }
  });

  it('with --conformance, runs each port round trip in a temporary directory it removes, and prints a pass/fail table', async () => {
    const { data } = await servedDataDir();
    try {
      const before = fs.readdirSync(data.dir).sort();
      const result = runCli(['doctor', '--conformance', '--data-dir', data.dir]);
      expect(result.code).toBe(0);
      const scratch = /conformance \(temporary directory (\S+), removed afterwards\)/.exec(result.stdout)?.[1];
      expect(scratch).toBeDefined();
      expect(fs.existsSync(scratch!)).toBe(false);
      const rows = result.stdout.split('\n').filter((line) => /^ {2}(event store|read store|key store) /.test(line));
      expect(rows).toHaveLength(6);
      for (const row of rows) expect(row).toMatch(/ pass$/);
      // The ledger's own files are as they were.
      expect(fs.readdirSync(data.dir).sort()).toEqual(before);
    } finally {
      data.remove();
    }
  });

  it('an unknown argument is a usage error', () => {
    const result = runCli(['doctor', '--everything', '--data-dir', '/nonexistent']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown option --everything for doctor.');
  });
});

// The distributed shape, when a server is named (npm run test:distributed); none runs here.
const stores = Object.fromEntries(
  Object.entries({ KURRENTDB_URL: process.env['KURRENTDB_URL'], MONGODB_URL: process.env['MONGODB_URL'] }).filter(
    ([, v]) => v,
  ),
) as Record<string, string>;
describe.skipIf(Object.keys(stores).length === 0)(
  `privacy-ledger doctor on the distributed stores${Object.keys(stores).length ? '' : ' (skipped: set KURRENTDB_URL and/or MONGODB_URL to run it)'}`,
  { timeout: CHILD_PROCESS_TEST_TIMEOUT_MS },
  () => {
    it('finds nothing to fix, and the conformance round trip passes on every port', async () => {
      const data = tempDataDir('pl-doctor-');
      // A database of its own (its key store holds this run's master key), dropped afterwards.
      const database = `pl_doctor_test_${randomBytes(8).toString('hex')}`;
      try {
        const result = runCli(['doctor', '--conformance', '--data-dir', data.dir], {
          ...stores,
          MONGODB_DATABASE: database,
          PRIVACY_LEDGER_MASTER_KEY: randomBytes(32).toString('base64'),
        });
        expect(result.stdout).not.toMatch(/^FAIL/m);
        expect(result.code).toBe(0);
      } finally {
        data.remove();
        if (stores['MONGODB_URL']) {
          const client = await new MongoClient(stores['MONGODB_URL']).connect();
          await client
            .db(database)
            .dropDatabase()
            .finally(() => client.close());
        }
      }
    });
  },
);
