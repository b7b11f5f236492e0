import { fork, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import type { Row } from './table.js';

const quick = process.env['BENCH_QUICK'] === '1';
const QUERY = `query ($id: ID!) { publisher(id: $id) { id companyName version registeredAt updatedAt contact { name telephone email } } }`;

interface Started {
  child: ChildProcess;
  url: string;
  id: string;
}

/** Each server runs in its own process, so the load generator here does not share its core. */
function startChild(script: string): Promise<Started> {
  const child = fork(new URL(`./servers/${script}`, import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, ...(m as { url: string; id: string }) }));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

async function load(url: string, id: string, seconds: number) {
  const body = JSON.stringify({ query: QUERY, variables: { id } });
  const options = { url, method: 'POST' as const, headers: { 'content-type': 'application/json' }, body, connections: 10 };
  await autocannon({ ...options, duration: 1 }); // warm-up
  const result = await autocannon({ ...options, duration: seconds });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99 };
}

async function measure(script: string, seconds: number) {
  const server = await startChild(script);
  try {
    // Check the answer once before loading it: a benchmark of errors measures nothing.
    const probe = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY, variables: { id: server.id } }) });
    const json = (await probe.json()) as { data?: { publisher?: { contact?: { email?: string } } } };
    if (json.data?.publisher?.contact?.email !== 'li.lei@contoso.cn') throw new Error(`${script} answered ${JSON.stringify(json)}`);
    return await load(server.url, server.id, seconds);
  } finally {
    server.child.disconnect();
    await new Promise((r) => server.child.once('exit', r));
  }
}

export async function httpBenchmarks(): Promise<Row[]> {
  const seconds = quick ? 2 : 5;
  const bare = await measure('bare-apollo.ts', seconds);
  const ours = await measure('ledger-server.ts', seconds);
  return [
    { name: 'bare Apollo, fixed publisher (baseline)', value: bare.rps, unit: 'req/s', note: `p99 ${bare.p99} ms` },
    {
      name: 'publisher query over HTTP',
      value: ours.rps,
      unit: 'req/s',
      baseline: { value: bare.rps, unit: 'req/s' },
      target: { min: 0.9, ratio: true },
      note: `p99 ${ours.p99} ms (bare Apollo: ${bare.p99} ms); 10 connections, ${seconds} s`,
    },
  ];
}
