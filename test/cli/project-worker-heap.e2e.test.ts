import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLedger } from '../../src/server/ledger.js';
import { CHILD_PROCESS_TEST_TIMEOUT_MS, projectChild } from '../server/child.js';
import { tempDataDir } from '../server/harness.js';
import { operator, recordScenario, values } from '../events/erasure/erasure-fixture.js';

/** The heap snapshot a process started with `--heapsnapshot-signal` wrote into `dir`, once written whole (it ends its JSON). */
async function writtenSnapshot(dir: string, deadline: number): Promise<Buffer> {
  for (;;) {
    const file = fs.readdirSync(dir).find((name) => name.endsWith('.heapsnapshot'));
    const bytes = file ? fs.readFileSync(path.join(dir, file)) : undefined;
    if (bytes && bytes.subarray(-8).toString('utf8').trimEnd().endsWith(']}')) return bytes;
    if (Date.now() > deadline) throw new Error('no heap snapshot written');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('a `project` worker process at an erasure by the server beside it', () => {
  it(
    "keeps no erased account's object id in its memory (the server's erasure does not reach it)",
    async () => {
      const data = tempDataDir('pl-worker-heap-');
      const snapshots = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-worker-heap-snapshots-'));
      // the worker started first holds every projection's lease: it opens the accounts' object ids to index them
      const worker = await projectChild(data.dir, {
        NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshots}`,
      });
      const config = { dataDir: data.dir, masterKey: '', readYourWritesTimeoutMs: 20_000, kurrentdbUrl: '' };
      const server = await openLedger(config, { leaseHolder: 'serve', projectionThread: false });
      try {
        await server.runner.start();
        const { publisherId } = await recordScenario(server);
        const closed = await server.services.erasure.closeAccount({ publisherId }, operator);
        await server.runner.waitFor(closed.position, 20_000);
        // well within the caches' idle expiry (60 s): only what the worker still holds is found
        worker.child.kill('SIGUSR2');
        const heap = await writtenSnapshot(snapshots, Date.now() + 30_000);
        expect(heap.includes(Buffer.from(values.kept.objectId))).toBe(false);
        expect(heap.includes(Buffer.from(values.removed.objectId))).toBe(false);
      } finally {
        worker.child.kill('SIGKILL');
        await server.close();
        data.remove();
        fs.rmSync(snapshots, { recursive: true, force: true });
      }
    },
    CHILD_PROCESS_TEST_TIMEOUT_MS,
  );
});
