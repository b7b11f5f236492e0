import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openProjectLedger } from '../../src/cli/project-ledger.js';
import { aadAccountSubject } from '../../src/privacy/data-subjects.js';
import type { ProjectionRunner } from '../../src/projections/runner/projection-runner.js';
import { openLedger, type Ledger } from '../../src/server/ledger.js';
import { tempDataDir } from '../server/harness.js';
import { dataFiles, operator, recordScenario, values } from '../events/erasure/erasure-fixture.js';

/** The accounts' object ids whose member index (the keyed hash memberships are found by) some file of the data directory holds. */
async function indexedObjectIds(ledger: Ledger, dataDir: string): Promise<string[]> {
  const indexKey = (await ledger.keys.getMany(['actor-lookup-index'])).get('actor-lookup-index')!;
  const files = dataFiles(dataDir).map((file) => fs.readFileSync(file));
  return [values.kept.objectId, values.removed.objectId].filter((objectId) => {
    const index = Buffer.from(createHmac('sha256', indexKey).update(objectId).digest('base64url'));
    return files.some((bytes) => bytes.includes(index));
  });
}

describe('a `project` worker beside a server on one data directory', () => {
  const data = tempDataDir('pl-worker-keys-');
  let worker: Ledger<ProjectionRunner> | undefined;
  let server: Ledger | undefined;
  afterEach(async () => {
    await server?.close();
    await worker?.close();
    data.remove();
  });

  it('answers no key the server destroyed, and its rebuild indexes no erased account', async () => {
    const config = { dataDir: data.dir, masterKey: '', readYourWritesTimeoutMs: 10_000, kurrentdbUrl: '' };
    // the worker opened first holds every projection's lease; the server's runner stands by
    worker = await openProjectLedger(config);
    await worker.runner.start();
    server = await openLedger(config, { leaseHolder: 'serve', projectionThread: false });
    await server.runner.start();
    const { publisherId, keptAccountId } = await recordScenario(server);
    const subject = aadAccountSubject(publisherId, keptAccountId);
    // the worker projected the accounts into the membership model: it opened their object ids with their keys
    expect([...(await worker.keys.getMany([subject])).keys()]).toEqual([subject]);
    expect(await indexedObjectIds(server, data.dir)).toEqual([values.kept.objectId, values.removed.objectId]);

    const closed = await server.services.erasure.closeAccount({ publisherId }, operator);
    await server.runner.waitFor(closed.position, 10_000);
    expect([...(await server.keys.getMany([subject])).keys()]).toEqual([]);
    expect([...(await worker.keys.getMany([subject])).keys()]).toEqual([]);

    // a replay in the worker (a rebuild; a model of an older shape when it takes a lease) opens the object ids again
    await worker.runner.rebuild('memberships');
    expect(await indexedObjectIds(server, data.dir)).toEqual([]);
  }, 30_000);
});
