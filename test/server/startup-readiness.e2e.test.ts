import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HeldLease } from '../../src/projections/runner/held-lease.js';
import { SqliteLeaseStore } from '../../src/projections/store/sqlite/sqlite-lease-store.js';
import { embeddedFiles, openLedger } from '../../src/server/ledger.js';
import { aPublisher, DEFAULT_PRINCIPAL, startTestServer, tempDataDir, type TestServer } from './harness.js';

const LIST = `query ($publisherId: ID!) {
  privacyRequests(publisherId: $publisherId) { totalCount edges { node { kind target } } }
}`;
const PUBLISHER = `query ($id: ID!) { publisher(id: $id) { id version contact { name } } }`;

interface Readyz {
  status: string;
  behind: Array<{ projection: string; state: string; lag: number }>;
}

/**
 * A start on a log whose events a read model does not hold yet: the server
 * is ready once the projections members read on every request have caught
 * up, while the privacy request records (one per change, caught up after
 * them) may still be behind, and /readyz names them with their lag; a read
 * of them waits until they hold what the log held when it came in, instead
 * of answering from a model that lacks it. To hold that projection back for
 * as long as the test needs, another worker (the test) holds its lease and
 * projects nothing; once it lets go, the server takes the projection over.
 */
describe('a start on a log not yet projected', () => {
  let data: ReturnType<typeof tempDataDir>;
  let server: TestServer | undefined;
  let publisherId: string;
  let leases: SqliteLeaseStore;
  let held: HeldLease | null;

  beforeEach(async () => {
    data = tempDataDir();
    // The log only: written by the services, no projection run.
    const ledger = await openLedger({ dataDir: data.dir, readYourWritesTimeoutMs: 1_000 });
    const context = {
      actor: { id: DEFAULT_PRINCIPAL.oid!, kind: 'user' as const, role: 'member' },
      correlationId: 't',
    };
    const member = { objectId: DEFAULT_PRINCIPAL.oid!, userPrincipalName: 'li.lei@contoso.cn', displayName: 'Li Lei' };
    publisherId = (await ledger.services.publishers.register(aPublisher(), context, member)).publisher.id;
    await ledger.services.publishers.updateContact(
      { id: publisherId, expectedVersion: 1, contact: { name: 'Han Meimei' } },
      context,
    );
    await ledger.close();
    leases = SqliteLeaseStore.open(path.join(data.dir, embeddedFiles.readModels));
    held = await HeldLease.take(
      { store: leases, holder: 'another-worker', ttlMs: 60_000 },
      'privacy-requests',
      () => {},
    );
  });
  afterEach(async () => {
    await held?.release();
    await server?.close();
    server = undefined;
    await leases.close();
    data.remove();
  });

  const untilReady = async (): Promise<Readyz> => {
    for (;;) {
      const response = await server!.http('/readyz');
      const body = (await response.json()) as Readyz;
      if (response.status === 200) return body;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  it('is ready without the privacy request records, names them behind, and a read of them waits for them', async () => {
    server = await startTestServer(data.dir, { READ_YOUR_WRITES_TIMEOUT_MS: '20000' });
    const readyz = await untilReady();
    const head = await server.ledger.events.headPosition();
    expect(readyz).toEqual({
      status: 'ready',
      behind: [{ projection: 'privacy-requests', state: 'standby', lag: head }],
    });
    // what members read on every request answers at once, up to date
    const publisher = await server.gql(PUBLISHER, { id: publisherId });
    expect(publisher.data?.['publisher']).toMatchObject({ version: 2, contact: { name: 'Han Meimei' } });
    // the model holds nothing yet: answered from it, the change would be missing
    expect(await server.ledger.reads.count('privacy_requests', { publisherId })).toBe(0);

    let answered = false;
    const reading = server.gql(LIST, { publisherId }).finally(() => (answered = true));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(answered).toBe(false);
    await held!.release();
    held = null;
    const records = await reading;
    expect(records.errors).toBeUndefined();
    // the change, and the member's read of the publisher above (recorded as a view)
    expect(records.data?.['privacyRequests']).toEqual({
      totalCount: 2,
      edges: expect.arrayContaining([{ node: { kind: 'EDIT', target: 'contact' } }]),
    });
    expect(await untilReady()).toEqual({ status: 'ready', behind: [] });
  });

  it('answers a read of a model still behind with TIMEOUT after the bound, naming the projection', async () => {
    server = await startTestServer(data.dir, { READ_YOUR_WRITES_TIMEOUT_MS: '300' });
    await untilReady();
    const records = await server.gql(LIST, { publisherId });
    expect(records.data).toBeNull();
    expect(records.errors?.[0]).toMatchObject({
      message: expect.stringContaining('the privacy-requests read model is still catching up'),
      extensions: { code: 'TIMEOUT' },
    });
  });
});
