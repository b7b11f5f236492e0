// Our real server on a temporary data directory, with one registered
// publisher; tells the parent its URL and the publisher id over IPC.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { createLogger } from '../../src/server/logger.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-http-'));
const config = loadConfig({ port: '0', dataDir, logLevel: 'warn' }, {});
const server = await startServer(config, createLogger(config.logLevel));
const change = await server.ledger.services.publishers.register(
  {
    companyName: 'Contoso China',
    registrationCode: '91350100M000100Y43',
    contact: { name: 'Li Lei', telephone: '+8613800138000', email: 'li.lei@contoso.cn' },
  },
  { actor: { id: 'bench', kind: 'system' }, correlationId: 'bench' },
);
await server.ledger.runner.waitFor(change.position, 5_000);
process.send!({ url: server.url, id: change.publisher.id });
process.on('disconnect', () => {
  void server.close().then(() => fs.rmSync(dataDir, { recursive: true, force: true }));
});
