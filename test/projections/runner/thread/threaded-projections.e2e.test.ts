import { afterEach, describe, expect, it } from 'vitest';
import { ProjectionRunner } from '../../../../src/projections/runner/projection-runner.js';
import {
  PROJECTION_YOUNG_GENERATION_MB,
  ThreadedProjections,
} from '../../../../src/projections/runner/thread/threaded-projections.js';
import {
  aPublisher,
  PUBLISHER,
  REGISTER,
  startTestServer,
  tempDataDir,
  UPDATE,
  type TestServer,
} from '../../../server/harness.js';

describe('projections on a thread of their own (the embedded default)', () => {
  const data = tempDataDir();
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    data.remove();
  });

  const registerAndUpdate = async (s: TestServer) => {
    const registered = await s.gql(REGISTER, { input: aPublisher() });
    const id = registered.data!['registerPublisher'].publisher.id as string;
    const updated = await s.gql(UPDATE, { input: { id, expectedVersion: 1, contact: { name: 'Han Meimei' } } });
    return { id, position: updated.data!['updatePublisherContact'].position as string };
  };

  it('runs there by default: a read with the position a mutation returned sees the change', async () => {
    server = await startTestServer(data.dir);
    expect(server.ledger.runner).toBeInstanceOf(ThreadedProjections);
    const { id, position } = await registerAndUpdate(server);
    const read = await server.gql(PUBLISHER, { id, minPosition: position });
    expect(read.data!['publisher']).toMatchObject({ version: 2, contact: { name: 'Han Meimei' } });
    expect(server.ledger.runner.live).toBe(true);
    // the read itself is recorded (a VIEW record), in the background: once it is in the log
    // (on a loaded machine it may land after the answer), wait for the projections to take it too
    await server.ledger.services.readRecorder.drain();
    await server.ledger.runner.waitFor(await server.ledger.events.headPosition(), 5_000);
    const status = await server.ledger.runner.status();
    expect(status.map((row) => [row.state, row.lag])).toEqual(status.map(() => ['live', 0]));
  });

  it('takes what the thread logs into the service log', async () => {
    server = await startTestServer(data.dir);
    await registerAndUpdate(server);
    await expect
      .poll(() =>
        server!.logs.lines.some(
          (line) => line.includes('"thread":"projections"') && line.includes('projection lease taken'),
        ),
      )
      .toBe(true);
  });

  it('rebuilds a projection on the thread; the model reads the same afterwards', async () => {
    server = await startTestServer(data.dir);
    const { id, position } = await registerAndUpdate(server);
    const before = await server.gql(PUBLISHER, { id, minPosition: position });
    await server.ledger.runner.rebuild('publishers');
    expect(await server.gql(PUBLISHER, { id })).toEqual(before);
    await expect(server.ledger.runner.rebuild('no-such-projection')).rejects.toThrow(/unknown projection/);
  });

  it('a restart carries on from the checkpoints the thread committed', async () => {
    server = await startTestServer(data.dir);
    const first = await registerAndUpdate(server);
    await server.ledger.runner.waitFor(Number(first.position), 5_000);
    await server.close();
    server = await startTestServer(data.dir);
    expect((await server.gql(PUBLISHER, { id: first.id })).data!['publisher']).toMatchObject({
      contact: { name: 'Han Meimei' },
    });
    const second = await registerAndUpdate(server);
    expect(
      (await server.gql(PUBLISHER, { id: second.id, minPosition: second.position })).data!['publisher'],
    ).toMatchObject({ version: 2 });
  });

  it('a thread that dies is started again, and catches up with what was appended meanwhile', async () => {
    server = await startTestServer(data.dir);
    const first = await registerAndUpdate(server);
    await server.ledger.runner.waitFor(Number(first.position), 5_000);
    // As if the thread crashed (out of memory, a native fault): nothing stops it gracefully.
    await (server.ledger.runner as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    expect(server.ledger.runner.live).toBe(false);
    const second = await registerAndUpdate(server); // appends go on meanwhile
    const read = await server.gql(PUBLISHER, { id: second.id, minPosition: second.position });
    expect(read.data!['publisher']).toMatchObject({ version: 2, contact: { name: 'Han Meimei' } });
    expect(server.logs.lines.some((line) => line.includes('projection thread exited; starting it again'))).toBe(true);
  });

  it("the thread's young generation is PROJECTION_YOUNG_GENERATION_MB (24 MB unless set), not V8's 48, which stayed at its largest in RSS under steady writes", async () => {
    // private: the thread's resource limits, as node reports them for the running thread
    const youngMb = (s: TestServer) =>
      (s.ledger.runner as unknown as { worker: { resourceLimits: { maxYoungGenerationSizeMb: number } } }).worker
        .resourceLimits.maxYoungGenerationSizeMb;
    server = await startTestServer(data.dir);
    expect([PROJECTION_YOUNG_GENERATION_MB, youngMb(server)]).toEqual([24, 24]);
    await server.close();
    server = await startTestServer(data.dir, { PROJECTION_YOUNG_GENERATION_MB: '12' });
    expect(youngMb(server)).toBe(12);
    // and it still projects
    const { id, position } = await registerAndUpdate(server);
    expect((await server.gql(PUBLISHER, { id, minPosition: position })).data!['publisher']).toMatchObject({
      contact: { name: 'Han Meimei' },
    });
  });

  it('PROJECTION_THREAD=false projects on the service thread, with the same results', async () => {
    server = await startTestServer(data.dir, { PROJECTION_THREAD: 'false' });
    expect(server.ledger.runner).toBeInstanceOf(ProjectionRunner);
    const { id, position } = await registerAndUpdate(server);
    expect((await server.gql(PUBLISHER, { id, minPosition: position })).data!['publisher']).toMatchObject({
      contact: { name: 'Han Meimei' },
    });
  });
});
