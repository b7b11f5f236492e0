import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KurrentDbEventStore } from '../../../../src/events/store/kurrentdb/kurrentdb-event-store.js';

// No KurrentDB here: a port that accepts connections and never answers,
// as a hung node or a half-open connection does. The real client talks to it.
describe('KurrentDB event store when a node accepts and never answers', () => {
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((socket) => void sockets.add(socket));
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('reads fail after their idle time instead of waiting forever', async () => {
    const store = KurrentDbEventStore.open(`kurrentdb://admin:changeit@127.0.0.1:${port}?tls=false`, {
      streamPrefixes: ['test-'],
      readIdleMs: 300,
    });
    try {
      // (Without the idle time the client itself gives up only after about 7 s of connecting.)
      let started = Date.now();
      await expect(store.readStream('test-1')).rejects.toMatchObject({ type: 'deadline-exceeded' });
      expect(Date.now() - started).toBeLessThan(3000);
      started = Date.now();
      await expect(store.headPosition()).rejects.toMatchObject({ type: 'deadline-exceeded' });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await Promise.race([store.close(), new Promise((r) => setTimeout(r, 2000))]);
    }
  });

  it("a read's idle time is the connection string's defaultDeadline when it sets one", async () => {
    const store = KurrentDbEventStore.open(
      `kurrentdb://admin:changeit@127.0.0.1:${port}?tls=false&defaultDeadline=250`,
      { streamPrefixes: ['test-'] },
    );
    try {
      const started = Date.now();
      await expect(store.readStream('test-1')).rejects.toMatchObject({
        type: 'deadline-exceeded',
        message: 'KurrentDB sent nothing for 250 ms',
      });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await Promise.race([store.close(), new Promise((r) => setTimeout(r, 2000))]);
    }
  });
});
