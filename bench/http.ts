import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import type { Row } from './table.js';

const quick = process.env['BENCH_QUICK'] === '1';
const CONNECTIONS = 10;
/**
 * Load before the measured run, the same for both servers. V8 optimises a
 * function only once it is hot, on background threads: our server runs far
 * more code per request than the baseline (a durable mutation: GraphQL,
 * authorization, the command, the log), and after 1 s of load those
 * threads were still compiling it, at about a quarter of a core, inside
 * the measured run. A server is measured as it runs for hours: warm.
 */
const WARM_UP_SECONDS = quick ? 1 : 5;

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
  /** a bearer token (our server; the bare baseline takes none) */
  token?: string;
}

/**
 * With BENCH_PROFILE=<dir>, each server writes a V8 CPU profile there when it
 * exits (`npx tsx bench/profile-summary.ts <file>` prints where the time went).
 */
const profileDir = process.env['BENCH_PROFILE'];
const headersFor = (server: Started): Record<string, string> => ({
  'content-type': 'application/json',
  ...(server.token ? { authorization: `Bearer ${server.token}` } : {}),
});

/** Each server runs in its own process (not sharing the load generator's event loop), on a data directory the caller removes. */
function startChild(script: string, dataDir: string, label: string): Promise<Started> {
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`, `--cpu-prof-name=${label}-${script}.cpuprofile`] : [];
  const child = fork(new URL(`./servers/${script}`, import.meta.url), [dataDir], {
    execArgv: ['--import', 'tsx', ...profile],
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, ...(m as Omit<Started, 'child'>) }));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

interface Measured {
  rps: number;
  p99: number;
  bytes: number;
  /** CPU the server process used per request during the measured run, in µs: all its threads, and its main thread (Linux only) */
  cpu?: { process: number; main: number };
}
type Load = (server: Started, seconds: number) => Promise<Measured>;

/** CPU time (µs) a process and its main thread have used so far, from /proc; undefined where there is no /proc. */
function cpuTimes(pid: number | undefined): { process: number; main: number } | undefined {
  const ticks = (file: string) => {
    const fields = fs.readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000; // utime + stime, in 1/100 s
  };
  try {
    return pid === undefined ? undefined : { process: ticks(`/proc/${pid}/stat`), main: ticks(`/proc/${pid}/task/${pid}/stat`) };
  } catch {
    return undefined;
  }
}
type Phase = 'warm-up' | 'measured';

/** A response counts only if it is 2xx and carries data without GraphQL errors. */
const answered = (raw: string | Buffer | undefined) => {
  const body = String(raw ?? '');
  return body.startsWith('{"data":{') && !body.includes('"errors":');
};

async function run(server: Started, seconds: number, options: (phase: Phase) => Partial<autocannon.Options>) {
  const once = async (phase: Phase, duration: number) => {
    const result = await autocannon({
      method: 'POST',
      headers: headersFor(server),
      connections: CONNECTIONS,
      verifyBody: answered,
      ...options(phase),
      url: server.url,
      duration,
    });
    const failed = result.non2xx + result.errors + result.timeouts + result.mismatches;
    if (failed > 0) {
      throw new Error(
        `${server.url} (${phase}): of ${result.requests.total} requests ${result.non2xx} non-2xx, ${result.errors} errors, ` +
          `${result.timeouts} timeouts, ${result.mismatches} without data or with GraphQL errors`,
      );
    }
    return result;
  };
  await once('warm-up', WARM_UP_SECONDS);
  const before = cpuTimes(server.child.pid);
  const result = await once('measured', seconds);
  const after = cpuTimes(server.child.pid);
  const requests = result.requests.total;
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    bytes: result.throughput.total / requests,
    ...(before && after ? { cpu: { process: (after.process - before.process) / requests, main: (after.main - before.main) / requests } } : {}),
  };
}

const query =
  (text: string): Load =>
  (server, seconds) =>
    run(server, seconds, () => ({ body: JSON.stringify({ query: text, variables: { id: server.id } }) }));

/**
 * Every request is a real, durable change that must succeed: it takes a
 * publisher no other request has in flight and sends the version that
 * publisher is at. Warm-up and measured run edit disjoint halves of the seeded
 * publishers, so a warm-up request still in flight cannot conflict.
 * (autocannon resets a connection's context after every request, so the id
 * travels in it only from setupRequest to onResponse.)
 */
const updates: Load = (server, seconds) =>
  run(server, seconds, (phase) => {
    const half = server.editable.length / 2;
    const free = phase === 'warm-up' ? server.editable.slice(0, half) : server.editable.slice(half);
    if (free.length < CONNECTIONS) throw new Error(`need ${CONNECTIONS} publishers per phase, got ${free.length}`);
    const versions = new Map<string, number>();
    return {
      requests: [
        {
          method: 'POST',
          headers: headersFor(server),
          setupRequest: (request: any, context: any) => {
            const id = free.pop()!;
            context.id = id;
            const version = versions.get(id) ?? 1;
            versions.set(id, version + 1);
            const input = { id, expectedVersion: version, contact: { name: `Li Lei ${version % 2}` } };
            return { ...request, body: JSON.stringify({ query: UPDATE, variables: { input } }) };
          },
          onResponse: (_status: number, _body: string, context: any) => {
            free.push(context.id);
          },
        },
      ],
    } as Partial<autocannon.Options>;
  });

async function compare(dir: string, name: string, load: Load, seconds: number, target: number): Promise<Row[]> {
  const measure = async (script: string) => {
    const server = await startChild(script, fs.mkdtempSync(path.join(dir, 'http-')), name.replace(/\W+/g, '-'));
    try {
      return await load(server, seconds);
    } finally {
      const exited = new Promise((r) => server.child.once('exit', r));
      server.child.disconnect();
      await exited;
    }
  };
  const bare = await measure('bare-apollo.ts');
  const ours = await measure('ledger-server.ts');
  const bytes = `~${Math.round(ours.bytes)} B per response (bare ~${Math.round(bare.bytes)} B) incl. headers`;
  return [
    { name: `${name}: bare Apollo (baseline)`, value: bare.rps, unit: 'req/s' },
    {
      name,
      value: ours.rps,
      unit: 'req/s',
      baseline: { value: bare.rps, unit: 'req/s' },
      target: { min: target, ratio: true },
      note: `${CONNECTIONS} connections, ${seconds} s after a ${WARM_UP_SECONDS} s warm-up, each server in its own process; ${bytes}`,
    },
    { name: `${name}: p99 latency`, value: ours.p99, unit: 'ms', baseline: { value: bare.p99, unit: 'ms' } },
    ...(ours.cpu && bare.cpu
      ? [
          { name: `${name}: server CPU per request`, value: ours.cpu.process, unit: 'µs', baseline: { value: bare.cpu.process, unit: 'µs' }, note: 'all threads of the server process (ours: projections run on a thread of their own)' },
          { name: `${name}: main-thread CPU per request`, value: ours.cpu.main, unit: 'µs', baseline: { value: bare.cpu.main, unit: 'µs' } },
        ]
      : []),
  ];
}

/**
 * The three comparisons; BENCH_HTTP=publisher|offers|update (comma
 * separated) runs only those.
 */
export async function httpBenchmarks(dir: string): Promise<Row[]> {
  const seconds = quick ? 2 : 5;
  const comparisons = [
    ['publisher', 'publisher query over HTTP', query(PUBLISHER), 0.9],
    ['offers', 'publisher + accounts + 50 offers query', query(WITH_OFFERS), 0.8],
    ['update', 'updatePublisherContact, durable', updates, 0.5],
  ] as const;
  const only = process.env['BENCH_HTTP']?.split(',');
  const rows: Row[] = [];
  for (const [key, name, load, target] of comparisons) if (!only || only.includes(key)) rows.push(...(await compare(dir, name, load, seconds, target)));
  return rows;
}
