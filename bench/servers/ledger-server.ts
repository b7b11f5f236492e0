// Our real server (embedded stores, log level warn) on the empty data
// directory the parent passes as the first argument (the parent removes it),
// seeded for the HTTP benchmarks; tells the parent its URL and the ids it
// seeded over IPC.
import fs from 'node:fs';
import path from 'node:path';
import { loadSigningKey } from '../../src/auth/signing-key.js';
import { mintToken } from '../../src/auth/token-issuer.js';
import { usccCheckCharacter } from '../../src/events/publisher/uscc.js';
import { startServer } from '../../src/server/app.js';
import { CACHE_SETTINGS } from '../../src/server/cache-settings.js';
import { loadConfig } from '../../src/server/config.js';
import { createLogger } from '../../src/server/logger.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: ledger-server.ts <empty data directory>');
// The load generator is one client at one address: a per-client rate limit would measure itself.
// PROJECTION_THREAD and the cache budgets pass through from the bench's environment (to compare settings); nothing else does.
const passed = ['PROJECTION_THREAD', ...Object.values(CACHE_SETTINGS).map((setting) => setting.env)];
const env = Object.fromEntries(passed.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));
const config = loadConfig({ port: '0', dataDir, logLevel: 'warn', rateLimitPerSecond: '0' }, env);
const server = await startServer(config, createLogger(config.logLevel));
const { publishers, offers } = server.ledger.services;
// The load runs as a portal user who registered every seeded publisher, so
// each request pays for authentication and the membership check.
const member = {
  objectId: '0be0c400-0000-4000-8000-000000000001',
  userPrincipalName: 'bench@contoso.cn',
  displayName: 'Bench',
};
const token = await mintToken(await loadSigningKey(dataDir), config.authIssuer, config.authAudience, {
  role: 'member',
  oid: member.objectId,
});
const context = { actor: { id: member.objectId, kind: 'user' as const, role: 'member' }, correlationId: 'bench' };
// One legal entity per publisher: each seeded publisher has a registration code of its own.
let seeded = 0;
const registrationCode = () => {
  const first17 = `91350100MA${String(++seeded).padStart(7, '0')}`;
  return first17 + usccCheckCharacter(first17);
};
const register = () =>
  publishers.register(
    {
      companyName: 'Contoso China',
      registrationCode: registrationCode(),
      contact: { name: 'Li Lei', telephone: '+8613800138000', email: 'li.lei@contoso.cn' },
    },
    context,
    member,
  );

const main = await register();
await publishers.addAadUser(
  {
    id: main.publisher.id,
    expectedVersion: 1,
    objectId: '11111111-2222-4333-8444-555555555555',
    userPrincipalName: 'li.lei@contoso.cn',
    displayName: 'Li Lei',
  },
  context,
);
for (let i = 0; i < 50; i++) {
  const created = await offers.create(
    { publisherId: main.publisher.id, name: `Offer ${i}`, kind: 'VIRTUAL_MACHINE' },
    context,
  );
  await offers.updateCustomerService(
    {
      id: created.offer!.id,
      expectedVersion: 1,
      supportContacts: [{ name: 'Support Desk', qq: `${10000 + i}`, email: 'help@contoso.cn' }],
    },
    context,
  );
}
// One publisher per load connection for the mutation benchmark, for the
// warm-up and again for the measured run.
const editable: string[] = [];
for (let i = 0; i < 20; i++) editable.push((await register()).publisher.id);
// An operator with an access grant on the main publisher (bench/access-grant.ts reads it under the grant).
const operatorOid = '0be0c400-0000-4000-8000-0000000000a2';
const operatorToken = await mintToken(await loadSigningKey(dataDir), config.authIssuer, config.authAudience, {
  role: 'operator',
  oid: operatorOid,
});
const operatorContext = { actor: { id: operatorOid, kind: 'user' as const, role: 'operator' }, correlationId: 'bench' };
const grantEnds = new Date(Date.now() + 8 * 3_600_000).toISOString();
await server.ledger.services.accessGrants.request(
  {
    publisherId: main.publisher.id,
    categories: ['administrator', 'customer'],
    reason: 'bench',
    ticket: 'BENCH-1',
    endsAt: grantEnds,
  },
  operatorContext,
);
await server.ledger.runner.waitFor(await server.ledger.events.headPosition(), 30_000);
process.send!({ url: server.url, id: main.publisher.id, editable, token, operatorToken });
process.on('disconnect', () => void server.close());
// The memory soak (../soak.ts) asks for this process's memory, after a full GC when it was started with --expose-gc.
process.on('message', (message: { type?: string; gc?: boolean }) => {
  if (message.type !== 'memory') return;
  if (message.gc && globalThis.gc) for (let i = 0; i < 2; i++) globalThis.gc();
  const { rss, heapUsed } = process.memoryUsage();
  // RSS split (Linux): anonymous memory (heaps of every thread, SQLite's caches) and mapped files (the log's mmap)
  const status = (() => {
    try {
      return fs.readFileSync('/proc/self/status', 'utf8');
    } catch {
      return '';
    }
  })();
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  // the other threads' heaps (the projection thread, the log writer), from a diagnostic report
  const workers =
    (process.report.getReport() as { workers?: { javascriptHeap?: { usedMemory?: number } }[] }).workers ?? [];
  const threadsHeapUsed = workers.reduce((sum, worker) => sum + (worker.javascriptHeap?.usedMemory ?? 0), 0);
  process.send!({
    rss,
    heapUsed,
    threadsHeapUsed,
    rssAnon: kb('RssAnon'),
    rssFile: kb('RssFile'),
    detail: diagnostics(workers),
  });
});

/**
 * Where the RSS is, for the soak's per-minute line: each thread's heap, the
 * main thread's array buffers and external memory, the mappings by kind
 * (files by name, anonymous by size: glibc's per-thread malloc arenas are
 * 64 MB reservations), the threads and the SQLite connections open.
 */
function diagnostics(workers: { javascriptHeap?: { usedMemory?: number; totalMemory?: number } }[]): string {
  const m = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  const usage = process.memoryUsage();
  const threads = workers
    .map((w) => `${m(w.javascriptHeap?.usedMemory ?? 0)}/${m(w.javascriptHeap?.totalMemory ?? 0)}`)
    .join(' ');
  const byKind = new Map<string, number>();
  try {
    let kind = '';
    for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
      const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
      if (header) {
        const name = header[1]!.trim();
        const [from, to] = line
          .split(' ')[0]!
          .split('-')
          .map((h) => parseInt(h, 16));
        const size = to! - from!;
        kind = name
          ? name.startsWith('/')
            ? path.basename(name).replace(/^(lib\w*|node).*$/, 'code')
            : name
          : size >= 60 * 1024 * 1024
            ? 'anon>=60M'
            : size >= 1024 * 1024
              ? 'anon>=1M'
              : 'anon<1M';
        continue;
      }
      const rss = /^Rss:\s+(\d+) kB/.exec(line);
      if (rss) byKind.set(kind, (byKind.get(kind) ?? 0) + Number(rss[1]) * 1024);
    }
  } catch {
    /* not Linux */
  }
  const maps = [...byKind]
    .filter(([, b]) => b >= 1024 * 1024)
    .sort((a, b) => b[1] - a[1])
    .map(([k, b]) => `${k} ${m(b)}`)
    .join(', ');
  let sqlite = 0;
  try {
    for (const fd of fs.readdirSync('/proc/self/fd')) {
      try {
        if (fs.readlinkSync(`/proc/self/fd/${fd}`).endsWith('.sqlite')) sqlite++;
      } catch {
        /* closed meanwhile */
      }
    }
  } catch {
    /* not Linux */
  }
  const status = (() => {
    try {
      return fs.readFileSync('/proc/self/status', 'utf8');
    } catch {
      return '';
    }
  })();
  const threadCount = /^Threads:\s+(\d+)/m.exec(status)?.[1] ?? '?';
  return `  threads' heaps used/total ${threads}; main heap total ${m(usage.heapTotal)}, external ${m(usage.external)}, arrayBuffers ${m(usage.arrayBuffers)}; threads ${threadCount}, sqlite fds ${sqlite}\n  maps: ${maps}`;
}
