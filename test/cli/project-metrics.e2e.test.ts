import { describe, expect, it } from 'vitest';
import { projectChild } from '../server/child.js';
import { aPublisher, REGISTER, startTestServer, tempDataDir } from '../server/harness.js';

describe('privacy-ledger project with METRICS=true', () => {
  it('serves each projection lag and the process metrics at /metrics, and /healthz and /readyz, on PORT; nothing else', async () => {
    const data = tempDataDir('pl-worker-metrics-');
    const worker = await projectChild(data.dir, { METRICS: 'true', PORT: '0', HOST: '127.0.0.1' });
    const server = await startTestServer(data.dir);
    try {
      const metricsUrl = worker.entry['metrics'] as string;
      expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const registered = await server.gql(REGISTER, { input: aPublisher() });
      expect(registered.errors).toBeUndefined();
      // the worker runs the projections: its lag gauges name them, and reach 0 once it has projected the registration
      let text = '';
      const deadline = Date.now() + 20_000;
      do {
        text = await (await fetch(metricsUrl)).text();
        if (/privacy_ledger_projection_lag\{projection="publishers"\} 0\b/.test(text)) break;
        await new Promise((r) => setTimeout(r, 100));
      } while (Date.now() < deadline);
      expect(text).toMatch(/privacy_ledger_projection_lag\{projection="publishers"\} 0\b/);
      expect(text).toContain('process_resident_memory_bytes');
      const base = metricsUrl.replace(/\/metrics$/, '');
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect((await fetch(`${base}/graphql`)).status).toBe(404);
    } finally {
      await server.close();
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      data.remove();
    }
  }, 60_000);
});
