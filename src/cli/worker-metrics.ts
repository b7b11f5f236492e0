import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../server/config.js';
import type { Ledger } from '../server/ledger.js';
import { ServiceMetrics } from '../server/metrics.js';

export interface WorkerEndpoint {
  url: string;
  close(): Promise<void>;
}

/**
 * What a `project` worker serves with METRICS=true, on HOST:PORT: the
 * process and projection metrics of `GET /metrics` (lag per projection
 * and the runtime's own), `/healthz`, and `/readyz`, ready once
 * every projection this worker runs has caught up with the log (or is
 * another worker's). A worker has no GraphQL: nothing else is served.
 */
export async function serveWorkerMetrics(config: Config, ledger: Ledger): Promise<WorkerEndpoint> {
  const metrics = new ServiceMetrics(() => ledger.runner.status());
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET')
      return send(405, 'application/json', JSON.stringify({ error: { code: 'METHOD_NOT_ALLOWED' } }));
    if (path === '/healthz') return send(200, 'application/json', JSON.stringify({ status: 'ok' }));
    if (path === '/readyz') {
      const ready = ledger.runner.live;
      return send(ready ? 200 : 503, 'application/json', JSON.stringify({ status: ready ? 'ready' : 'catching-up' }));
    }
    if (path === '/metrics') {
      metrics.text().then(
        (text) => send(200, metrics.contentType, text),
        () => send(500, 'application/json', JSON.stringify({ error: { code: 'INTERNAL_SERVER_ERROR' } })),
      );
      return;
    }
    send(
      404,
      'application/json',
      JSON.stringify({
        error: { code: 'NOT_FOUND', message: 'a project worker serves /metrics, /healthz and /readyz' },
      }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
