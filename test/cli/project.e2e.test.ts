import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteLeaseStore } from '../../src/projections/store/sqlite/sqlite-lease-store.js';
import { projectionNames } from '../../src/projections/ledger-projections.js';
import { embeddedFiles } from '../../src/server/ledger.js';
import { projectChild, runCli } from '../server/child.js';
import { aPublisher, PUBLISHER, REGISTER, startTestServer, tempDataDir } from '../server/harness.js';

async function holders(dataDir: string): Promise<Array<{ holder: string; expiresAt: number } | null>> {
  const leases = SqliteLeaseStore.open(path.join(dataDir, embeddedFiles.readModels));
  try {
    return await Promise.all(projectionNames.map((name) => leases.current(name)));
  } finally {
    await leases.close();
  }
}

describe('privacy-ledger project', () => {
  it('workers run the projections for a server; when the running one is killed another takes over, and SIGTERM lets go', async () => {
    const data = tempDataDir('pl-project-');
    // A worker renews every third of the lease: a worker process held up longer than two thirds of it
    // (a long batch on a loaded core) loses its projections mid-test. 3 s tolerates a 2 s hold-up; the
    // takeover after the kill waits that long, and the read after it may wait for it.
    const env = { LEASE_TTL_MS: '3000', LOG_LEVEL: 'info' };
    const first = await projectChild(data.dir, env);
    let second: Awaited<ReturnType<typeof projectChild>> | undefined;
    const server = await startTestServer(data.dir, { READ_YOUR_WRITES_TIMEOUT_MS: '20000' });
    try {
      expect((await holders(data.dir)).map((lease) => lease?.holder)).toEqual(
        Array(projectionNames.length).fill(`project:${hostname()}:${first.child.pid}`),
      );
      // The server answers read-your-writes while the worker projects.
      const registered = await server.gql(REGISTER, { input: aPublisher() });
      const { publisher, position } = registered.data!['registerPublisher'];
      const read = await server.gql(PUBLISHER, { id: publisher.id, minPosition: position });
      expect(read.data?.['publisher']?.id).toBe(publisher.id);
      expect((await server.ledger.runner.status()).map((s) => s.state)).toEqual(
        Array(projectionNames.length).fill('standby'),
      );
      // A server whose projections a worker runs is ready.
      expect((await fetch(new URL('/readyz', server.url))).status).toBe(200);
      expect(runCli(['status', '--data-dir', data.dir]).stdout).toMatch(
        new RegExp(`publishers\\s+\\d+\\s+\\d+\\s+project:${hostname()}:${first.child.pid}`),
      );

      second = await projectChild(data.dir, env);
      first.child.kill('SIGKILL');
      await first.exited;
      const later = await server.gql(REGISTER, { input: aPublisher() });
      const next = later.data!['registerPublisher'];
      const readLater = await server.gql(PUBLISHER, { id: next.publisher.id, minPosition: next.position });
      expect(readLater.errors).toBeUndefined();
      expect(readLater.data?.['publisher']?.id).toBe(next.publisher.id);
      for (const lease of await holders(data.dir)) expect(lease?.holder).not.toContain(`:${first.child.pid}`);

      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      expect(second.logs.join('\n')).toContain('privacy-ledger stopped');
      // With every worker gone, the server's own runner takes each projection over (looking every
      // 500 ms, then catching up): the deadline only ends a hang, a loaded machine takes seconds.
      const deadline = Date.now() + 20_000;
      while ((await server.ledger.runner.status()).some((s) => s.state !== 'live') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect((await holders(data.dir)).map((lease) => lease?.holder)).toEqual(
        Array(projectionNames.length).fill('serve'),
      );
      expect((await server.ledger.runner.status()).map((s) => s.state)).toEqual(
        Array(projectionNames.length).fill('live'),
      );
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGKILL');
      await server.close();
      data.remove();
    }
  }, 60_000);
});
