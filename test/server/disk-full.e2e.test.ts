import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aPublisher, postGraphql, REGISTER, startTestServer, tempDataDir, type TestServer } from './harness.js';

/**
 * The data directory on a small filesystem the test fills. Mounting a tmpfs
 * needs root: as any other user the suite is skipped, and says why.
 */
const asRoot = process.getuid?.() === 0;
const MOUNT = asRoot ? 'a 24 MB tmpfs mounted by the test' : 'skipped: mounting a tmpfs needs root';

describe.skipIf(!asRoot)(`disk full (${MOUNT})`, () => {
  let mount: ReturnType<typeof tempDataDir>;
  let server: TestServer;
  let headers: Record<string, string>;
  const filler = () => path.join(mount.dir, 'filler');

  beforeAll(async () => {
    mount = tempDataDir('pl-disk-full-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mount.dir]);
    // A short lease: its renewals fail while the disk is full for longer than it lasts.
    server = await startTestServer(path.join(mount.dir, 'data'), { NODE_ENV: 'production', LEASE_TTL_MS: '1000' });
    headers = { authorization: `Bearer ${await server.token()}` };
  });
  afterAll(async () => {
    await server?.close();
    if (mount) {
      execFileSync('umount', [mount.dir]);
      mount.remove();
    }
  });

  /** Fills the filesystem to its last byte. */
  function fill(): void {
    const fd = fs.openSync(filler(), 'w');
    const chunk = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) fs.writeSync(fd, chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    }
    for (let size = 4096; size >= 1; size = Math.floor(size / 2)) {
      try {
        for (;;) fs.writeSync(fd, chunk.subarray(0, size));
      } catch {
        // the next smaller piece
      }
    }
    fs.closeSync(fd);
  }

  const register = () => postGraphql<any>(server.url, REGISTER, { input: aPublisher() }, headers);

  it('a write that cannot be made durable is 503 UNAVAILABLE with Retry-After, /readyz says so, and both recover by themselves', async () => {
    const acknowledged: string[] = [];
    const first = await register();
    expect(first.errors).toBeUndefined();
    acknowledged.push(first.data.registerPublisher.publisher.id);

    fill();
    let refused: Response | undefined;
    for (let i = 0; i < 200 && !refused; i++) {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ query: REGISTER, variables: { input: aPublisher() } }),
      });
      if (res.status === 200) {
        const body = (await res.json()) as any;
        expect(body.errors).toBeUndefined();
        acknowledged.push(body.data.registerPublisher.publisher.id);
      } else refused = res;
    }
    expect(refused?.status).toBe(503);
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused!.json()).toMatchObject({
      errors: [{ message: expect.stringMatching(/retry/i), extensions: { code: 'UNAVAILABLE' } }],
    });
    const notReady = await server.http('/readyz');
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: 'cannot-write' });

    await new Promise((resolve) => setTimeout(resolve, 2_500)); // longer than the lease lasts
    fs.rmSync(filler());
    const deadline = Date.now() + 20_000;
    while ((await server.http('/readyz')).status !== 200 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await server.http('/readyz')).status).toBe(200);
    const after = await register();
    expect(after.errors).toBeUndefined();
    // nothing acknowledged was lost
    for (const id of acknowledged) {
      const read = await server.gql('query ($id: ID!) { publisher(id: $id) { id } }', { id });
      expect(read.data).toEqual({ publisher: { id } });
    }
    expect(server.logs.lines.join('\n')).not.toMatch(/lost to another worker/);
  }, 60_000);

  it('with nothing to project, a lease that cannot be renewed on a full disk is not reported as taken by another worker', async () => {
    await server.ledger.runner.waitFor(await server.ledger.events.headPosition(), 5_000);
    const seen = server.logs.lines.length;
    fill();
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // three times the lease
    fs.rmSync(filler());
    const logged = server.logs.lines.slice(seen).join('\n');
    expect(logged).toMatch(/ran out while the lease store could not be written/);
    expect(logged).not.toMatch(/lost to another worker/);
    // the projections take their leases back by themselves
    await expect.poll(async () => (await server.http('/readyz')).status, { timeout: 20_000, interval: 200 }).toBe(200);
  }, 30_000);
});
