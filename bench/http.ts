import { fork, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import type { Row } from './table.js';

const quick = process.env['BENCH_QUICK'] === '1';
const CONNECTIONS = 10;

const PUBLISHER = `query ($id: ID!) { publisher(id: $id) { id companyName version registeredAt updatedAt contact { name telephone email } } }`;
const WITH_OFFERS = `query ($id: ID!) {
  publisher(id: $id) { id companyName contact { name telephone email } aadUsers { objectId userPrincipalName displayName } }
  offers(publisherId: $id, first: 50) { totalCount edges { cursor node { id name kind status supportContacts { name qq email } } } }
}`;
const UPDATE = `mutation ($input: UpdatePublisherContactInput!) { updatePublisherContact(input: $input) { version position publisher { id version contact { name } } } }`;

interface Started {
  child: ChildProcess;
  url: string;
  id: string;
  editable: string[];
}

/** Each server runs in its own process, so the load generator here does not share its core. */
function startChild(script: string): Promise<Started> {
  const child = fork(new URL(`./servers/${script}`, import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, ...(m as Omit<Started, 'child'>) }));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

type Load = (server: Started, seconds: number) => Promise<{ rps: number; p99: number }>;

async function run(server: Started, seconds: number, options: Partial<autocannon.Options>) {
  const base = { url: server.url, method: 'POST' as const, headers: { 'content-type': 'application/json' }, connections: CONNECTIONS, ...options };
  await autocannon({ ...base, duration: 1 }); // warm-up
  const result = await autocannon({ ...base, duration: seconds });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${server.url}: ${result.non2xx} non-2xx of ${result.requests.total}, ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99 };
}

const query =
  (text: string): Load =>
  (server, seconds) =>
    run(server, seconds, { body: JSON.stringify({ query: text, variables: { id: server.id } }) });

/** Each connection edits its own publisher, sequentially, so every request is a real, durable change. */
const updates: Load = (server, seconds) => {
  let next = 0;
  const versions = new Map<string, number>();
  return run(server, seconds, {
    // setupRequest is honoured (body and content-length) only inside `requests`;
    // its context is private to the connection.
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request: any, context: any) => {
          context.id ??= server.editable[next++ % server.editable.length];
          const id = context.id as string;
          const version = versions.get(id) ?? 1;
          versions.set(id, version + 1);
          const input = { id, expectedVersion: version, contact: { name: `Li Lei ${version % 2}` } };
          return { ...request, body: JSON.stringify({ query: UPDATE, variables: { input } }) };
        },
      },
    ],
  } as Partial<autocannon.Options>);
};

async function compare(name: string, load: Load, seconds: number, target: number): Promise<Row[]> {
  const measure = async (script: string) => {
    const server = await startChild(script);
    try {
      return await load(server, seconds);
    } finally {
      server.child.disconnect();
      await new Promise((r) => server.child.once('exit', r));
    }
  };
  const bare = await measure('bare-apollo.ts');
  const ours = await measure('ledger-server.ts');
  return [
    { name: `${name}: bare Apollo (baseline)`, value: bare.rps, unit: 'req/s', note: `p99 ${bare.p99} ms` },
    {
      name,
      value: ours.rps,
      unit: 'req/s',
      baseline: { value: bare.rps, unit: 'req/s' },
      target: { min: target, ratio: true },
      note: `p99 ${ours.p99} ms (bare Apollo: ${bare.p99} ms); ${CONNECTIONS} connections, ${seconds} s`,
    },
  ];
}

export async function httpBenchmarks(): Promise<Row[]> {
  const seconds = quick ? 2 : 5;
  return [
    ...(await compare('publisher query over HTTP', query(PUBLISHER), seconds, 0.9)),
    ...(await compare('publisher + accounts + 50 offers query', query(WITH_OFFERS), seconds, 0.8)),
    ...(await compare('updatePublisherContact, durable', updates, seconds, 0.5)),
  ];
}
