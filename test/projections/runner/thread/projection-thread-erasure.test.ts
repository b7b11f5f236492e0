import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { openLedger, type Ledger } from '../../../../src/server/ledger.js';
import { operator, recordScenario, values } from '../../../events/erasure/erasure-fixture.js';
import { tempDataDir } from '../../../server/harness.js';

/** Whether the text is anywhere in the thread's heap (a snapshot holds only what is still reachable), searched as bytes. */
async function inThreadHeap(worker: Worker, text: string): Promise<boolean> {
  const needle = Buffer.from(text);
  let tail = Buffer.alloc(0);
  for await (const chunk of await worker.getHeapSnapshot()) {
    const window = Buffer.concat([tail, Buffer.from(chunk as Buffer)]);
    if (window.includes(needle)) return true;
    tail = window.subarray(-needle.length);
  }
  return false;
}

describe('the projection thread at an erasure', () => {
  const data = tempDataDir('pl-thread-erasure-');
  let ledger: Ledger | undefined;
  afterEach(async () => {
    await ledger?.close();
    data.remove();
  });

  it("keeps no erased account's object id in its memory (the server's erasure does not reach the thread)", async () => {
    const config = { dataDir: data.dir, masterKey: '', readYourWritesTimeoutMs: 10_000, kurrentdbUrl: '' };
    ledger = await openLedger(config, { leaseHolder: 'serve', projectionThread: true });
    await ledger.runner.start();
    // the membership projection opened both accounts' object ids on the thread, to index them
    const { publisherId } = await recordScenario(ledger);
    const closed = await ledger.services.erasure.closeAccount({ publisherId }, operator);
    await ledger.runner.waitFor(closed.position, 10_000);
    // well within the caches' idle expiry (60 s): only what the thread still holds is found
    const worker = (ledger.runner as unknown as { worker: Worker }).worker;
    expect(await inThreadHeap(worker, values.kept.objectId)).toBe(false);
    expect(await inThreadHeap(worker, values.removed.objectId)).toBe(false);
  }, 30_000);
});
