import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { Row } from './table.js';

export const quick = process.env['BENCH_QUICK'] === '1';
export const CONNECTIONS = 10;
/**
 * Load before the measured run, the same for both servers. V8 optimises a
 * function only once it is hot, on background threads: our server runs far
 * more code per request than the baseline (a durable mutation: GraphQL,
 * authorization, the command, the log), and after 1 s of load those
 * threads were still compiling it, at about a quarter of a core, inside
 * the measured run. A server is measured as it runs for hours: warm.
 */
export const WARM_UP_SECONDS = quick ? 1 : 5;
/** Measured windows per server, alternating with the other server's. */
export const WINDOWS = quick ? 2 : 4;

export const PUBLISHER = `query ($id: ID!) { publisher(id: $id) { id companyName version registeredAt updatedAt contact { name telephone email } } }`;
const WITH_OFFERS = `query ($id: ID!) {
  publisher(id: $id) { id companyName contact { name telephone email } aadUsers { objectId userPrincipalName displayName } }
  offers(publisherId: $id, first: 50) { totalCount edges { cursor node { id name kind status supportContacts { name qq email } } } }
}`;
const UPDATE = `mutation ($input: UpdatePublisherContactInput!) { updatePublisherContact(input: $input) { version position publisher { id version contact { name } } } }`;

export interface Started {
  child: ChildProcess;
  url: string;
  id: string;
  editable: string[];
  /** a bearer token (our server; the bare baseline takes none) */
  token?: string;
  /** our server: an operator holding an access grant on publisher `id` */
  operatorToken?: string;
  /** the version each editable publisher is at (the mutation benchmark) */
  versions: Map<string, number>;
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

/**
 * The servers run compiled, as `npm start` runs ours: under tsx every
 * `require` on a request's path (Apollo hashes each query with a crypto
 * module it requires per call) went through tsx's resolver, which no
 * deployment has. Compiled once per bench run, into node_modules/.cache
 * (inside the project: packages and "type": "module" resolve as from the
 * sources).
 */
export const BUILT = fileURLToPath(new URL('../node_modules/.cache/privacy-ledger-bench/', import.meta.url));
let compiled = false;
export function compileServers(): void {
  if (compiled) return;
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json'), '--outDir', BUILT],
    { cwd: root, stdio: 'inherit' },
  );
  compiled = true;
}

/**
 * The flags `npm start` gives node (package.json's start script: the main
 * thread's young generation), so that a benchmarked server of ours runs as
 * a started one does.
 */
export const START_FLAGS: readonly string[] = (() => {
  const packageJson = fileURLToPath(new URL('../package.json', import.meta.url));
  const start = (JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { scripts: { start: string } }).scripts.start;
  const words = start.split(/\s+/).slice(1);
  return words.slice(
    0,
    words.findIndex((word) => !word.startsWith('--')),
  );
})();

/** Each server runs in its own process (not sharing the load generator's event loop), on a data directory the caller removes. */
export function startChild(script: string, dataDir: string, label: string): Promise<Started> {
  compileServers();
  const profile = profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`, `--cpu-prof-name=${label}-${script}.cpuprofile`]
    : [];
  const child = fork(path.join(BUILT, 'bench/servers', script.replace(/\.ts$/, '.js')), [dataDir], {
    execArgv: [...(script === 'ledger-server.ts' ? START_FLAGS : []), ...profile],
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) =>
      resolve({ child, versions: new Map(), ...(m as Omit<Started, 'child' | 'versions'>) }),
    );
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

export interface Measured {
  requests: number;
  seconds: number;
  p99: number;
  bytes: number;
  /** CPU time (µs) the server process used during the window: all its threads, and its main thread (Linux only) */
  cpu?: { process: number; main: number };
}
/** What a window loads, and which half of the editable publishers it may change (consecutive windows of one server alternate). */
export type Load = (server: Started, half: 0 | 1) => Partial<autocannon.Options>;

/** CPU time (µs) a process and its main thread have used so far, from /proc; undefined where there is no /proc. */
function cpuTimes(pid: number | undefined): { process: number; main: number } | undefined {
  const ticks = (file: string) => {
    const fields = fs.readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000; // utime + stime, in 1/100 s
  };
  try {
    return pid === undefined
      ? undefined
      : { process: ticks(`/proc/${pid}/stat`), main: ticks(`/proc/${pid}/task/${pid}/stat`) };
  } catch {
    return undefined;
  }
}

/** A response counts only if it is 2xx and carries data without GraphQL errors. */
const answered = (raw: string | Buffer | undefined) => {
  const body = String(raw ?? '');
  return body.startsWith('{"data":{') && !body.includes('"errors":');
};

/** Loads one server for `seconds`; every response must have succeeded. */
export async function window(
  server: Started,
  seconds: number,
  load: Load,
  half: 0 | 1,
  phase: string,
): Promise<Measured> {
  const before = cpuTimes(server.child.pid);
  const result = await autocannon({
    method: 'POST',
    headers: headersFor(server),
    connections: CONNECTIONS,
    verifyBody: answered,
    ...load(server, half),
    url: server.url,
    duration: seconds,
  });
  const after = cpuTimes(server.child.pid);
  const failed = result.non2xx + result.errors + result.timeouts + result.mismatches;
  if (failed > 0) {
    throw new Error(
      `${server.url} (${phase}): of ${result.requests.total} requests ${result.non2xx} non-2xx, ${result.errors} errors, ` +
        `${result.timeouts} timeouts, ${result.mismatches} without data or with GraphQL errors`,
    );
  }
  return {
    requests: result.requests.total,
    seconds,
    p99: result.latency.p99,
    bytes: result.throughput.total / result.requests.total,
    ...(before && after ? { cpu: { process: after.process - before.process, main: after.main - before.main } } : {}),
  };
}

/** The windows of one server taken together: req/s over all of them, the median p99, CPU per request. */
export function summed(windows: Measured[]) {
  const requests = windows.reduce((sum, w) => sum + w.requests, 0);
  const seconds = windows.reduce((sum, w) => sum + w.seconds, 0);
  const p99s = windows.map((w) => w.p99).sort((a, b) => a - b);
  const cpu = windows.every((w) => w.cpu)
    ? {
        process: windows.reduce((sum, w) => sum + w.cpu!.process, 0) / requests,
        main: windows.reduce((sum, w) => sum + w.cpu!.main, 0) / requests,
      }
    : undefined;
  return { rps: requests / seconds, p99: p99s[p99s.length >> 1]!, bytes: windows.at(-1)!.bytes, cpu };
}

export const query =
  (text: string): Load =>
  (server) => ({ body: JSON.stringify({ query: text, variables: { id: server.id } }) });

/**
 * Every request is a real, durable change that must succeed: it takes a
 * publisher no other request has in flight and sends the version that
 * publisher is at. Consecutive windows of a server edit disjoint halves of
 * the seeded publishers, so a request of the last window still in flight
 * cannot conflict. (autocannon resets a connection's context after every
 * request, so the id travels in it only from setupRequest to onResponse.)
 */
const updates: Load = (server, half) => {
  const size = server.editable.length / 2;
  const free = server.editable.slice(half * size, (half + 1) * size);
  if (free.length < CONNECTIONS) throw new Error(`need ${CONNECTIONS} publishers per window, got ${free.length}`);
  const { versions } = server;
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
};

/**
 * Both servers run side by side, each warmed up, then are measured in
 * alternating windows (bare, ours, ours, bare, ...): this shared machine
 * speeds up and slows down over tens of seconds, and measuring one server
 * after the other let that drift decide the ratio (0.34 to 0.54 for one
 * build of the mutation in one morning). Interleaved, both see the same
 * machine; the note lists each pair's ratio.
 */
async function compare(dir: string, name: string, load: Load, seconds: number, target: number): Promise<Row[]> {
  const label = name.replace(/\W+/g, '-');
  const servers: Started[] = [];
  try {
    for (const script of ['bare-apollo.ts', 'ledger-server.ts'])
      servers.push(await startChild(script, fs.mkdtempSync(path.join(dir, 'http-')), label));
    const [bareServer, ourServer] = servers as [Started, Started];
    for (const server of servers) await window(server, WARM_UP_SECONDS, load, 0, 'warm-up');
    const bareWindows: Measured[] = [];
    const ourWindows: Measured[] = [];
    for (let w = 0; w < WINDOWS; w++) {
      const half = ((w + 1) % 2) as 0 | 1;
      const measureBare = async () =>
        bareWindows.push(await window(bareServer, seconds, load, half, `window ${w + 1}`));
      const measureOurs = async () => ourWindows.push(await window(ourServer, seconds, load, half, `window ${w + 1}`));
      if (w % 2 === 0) await measureBare().then(measureOurs);
      else await measureOurs().then(measureBare);
    }
    const bare = summed(bareWindows);
    const ours = summed(ourWindows);
    const pairs = ourWindows.map((o, i) => (o.requests / bareWindows[i]!.requests).toFixed(2)).join(', ');
    const bytes = `~${Math.round(ours.bytes)} B per response (bare ~${Math.round(bare.bytes)} B) incl. headers`;
    return [
      { name: `${name}: bare Apollo (baseline)`, value: bare.rps, unit: 'req/s' },
      {
        name,
        value: ours.rps,
        unit: 'req/s',
        baseline: { value: bare.rps, unit: 'req/s' },
        target: { min: target, ratio: true },
        note: `${CONNECTIONS} connections; after a ${WARM_UP_SECONDS} s warm-up each, ${WINDOWS} windows of ${seconds} s per server, alternating (ratio per pair: ${pairs}); each server in its own process; ${bytes}`,
      },
      { name: `${name}: p99 latency`, value: ours.p99, unit: 'ms', baseline: { value: bare.p99, unit: 'ms' } },
      ...(ours.cpu && bare.cpu
        ? [
            {
              name: `${name}: server CPU per request`,
              value: ours.cpu.process,
              unit: 'µs',
              baseline: { value: bare.cpu.process, unit: 'µs' },
              note: 'all threads of the server process (ours: projections run on a thread of their own)',
            },
            {
              name: `${name}: main-thread CPU per request`,
              value: ours.cpu.main,
              unit: 'µs',
              baseline: { value: bare.cpu.main, unit: 'µs' },
            },
          ]
        : []),
    ];
  } finally {
    await Promise.all(
      servers.map((server) => {
        const exited = new Promise((r) => server.child.once('exit', r));
        server.child.disconnect();
        return exited;
      }),
    );
  }
}

/**
 * The three comparisons; BENCH_HTTP=publisher|offers|update (comma
 * separated) runs only those.
 */
export async function httpBenchmarks(dir: string): Promise<Row[]> {
  const seconds = quick ? 1 : 3;
  const comparisons = [
    ['publisher', 'publisher query over HTTP', query(PUBLISHER), 0.9],
    ['offers', 'publisher + accounts + 50 offers query', query(WITH_OFFERS), 0.8],
    ['update', 'updatePublisherContact, durable', updates, 0.75],
  ] as const;
  const only = process.env['BENCH_HTTP']?.split(',');
  const rows: Row[] = [];
  for (const [key, name, load, target] of comparisons)
    if (!only || only.includes(key)) rows.push(...(await compare(dir, name, load, seconds, target)));
  return rows;
}
