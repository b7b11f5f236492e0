import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../server/config.js';
import type { Ledger } from '../server/ledger.js';
import { ServiceMetrics } from '../server/metrics.js';
import { sendJson } from '../server/http-server.js';
import { errorBody, statusOf } from '../error-codes.js';

const NO_STORE = { 'cache-control': 'no-store' };

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
    const json = (status: number, value: unknown) => sendJson(res, status, value, NO_STORE);
    if (req.method !== 'GET') return json(405, errorBody('BAD_REQUEST', 'a project worker answers GET only'));
    if (path === '/healthz') return json(200, { status: 'ok' });
    if (path === '/readyz') {
      const ready = ledger.runner.live;
      return json(ready ? 200 : 503, { status: ready ? 'ready' : 'catching-up' });
    }
    if (path === '/metrics') {
      metrics.text().then(
        (text) => {
          res.writeHead(200, { ...NO_STORE, 'content-type': metrics.contentType });
          res.end(text);
        },
        () => json(statusOf('INTERNAL_SERVER_ERROR'), errorBody('INTERNAL_SERVER_ERROR', 'Internal server error')),
      );
      return;
    }
    json(statusOf('NOT_FOUND'), errorBody('NOT_FOUND', 'a project worker serves /metrics, /healthz and /readyz'));
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
