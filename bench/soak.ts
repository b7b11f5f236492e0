// `npm run bench -- soak [--minutes N]`: the memory soak (issue 25), not
// part of the default run. Our server (compiled, its own process, embedded
// stores) under a mixed load of 20 workers, each reading and writing in a
// loop; RSS and heap every minute; whether RSS stopped growing after the
// warm-up; and the heap once the load has stopped, after some idle seconds
// and a full GC, against the heap at the start (after seeding, GC'd too).
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { BUILT, compileServers, START_FLAGS } from './http.js';
import type { Row } from './table.js';
import { CACHE_SETTINGS } from '../src/server/cache-settings.js';

const WORKERS = 20;
const MB = 1024 * 1024;
const mb = (bytes: number) => bytes / MB;
/** Samples taken per minute (the table shows one a minute; the growth verdict uses them all). */
const SAMPLES_PER_MINUTE = 6;
/**
 * Idle seconds after the load before the last measurement: the caches'
 * idle expiry (the server's, from the environment as it gets it), a quarter
 * of it more for the sweep that drops what expired, and 15 s for timers,
 * sockets and the projection thread to settle.
 */
const IDLE_SECONDS = (() => {
  const expiry = Number(process.env[CACHE_SETTINGS.cacheIdleSeconds.env] ?? CACHE_SETTINGS.cacheIdleSeconds.default);
  return Math.ceil(expiry * 1.25) + 15;
})();

const WITH_OFFERS = `query ($id: ID!) {
  publisher(id: $id) { id companyName contact { name telephone email } aadUsers { objectId userPrincipalName displayName } }
  offers(publisherId: $id, first: 50) { totalCount edges { cursor node { id name kind status supportContacts { name qq email } } } }
}`;
const OWN = `query ($id: ID!) { publisher(id: $id) { id version contact { name telephone email } } offers(publisherId: $id, first: 20) { totalCount edges { cursor } } }`;
const HISTORY = `query ($id: ID!) { history(id: $id, kind: PUBLISHER, first: 20) { totalCount edges { cursor } } }`;
const UPDATE = `mutation ($input: UpdatePublisherContactInput!) { updatePublisherContact(input: $input) { version } }`;
const CREATE_OFFER = `mutation ($input: CreateOfferInput!) { createOffer(input: $input) { version offer { id } } }`;
const SUPPORT = `mutation ($input: UpdateOfferCustomerServiceInput!) { updateOfferCustomerService(input: $input) { version } }`;

interface Memory {
  rss: number;
  /** the main thread's heap */
  heapUsed: number;
  /** the other threads' heaps (projections, log writer) */
  threadsHeapUsed: number;
  /** Linux: anonymous memory (every thread's heap, SQLite's page caches) and mapped files (the log's mmap); NaN elsewhere */
  rssAnon: number;
  rssFile: number;
  /** where the RSS is (threads' heaps, mappings by kind, connections): printed each minute */
  detail?: string;
}

const describe = (m: Memory) =>
  `RSS ${mb(m.rss).toFixed(0)} MB (anonymous ${mb(m.rssAnon).toFixed(0)}, files ${mb(m.rssFile).toFixed(0)}), heap ${mb(m.heapUsed).toFixed(0)} MB (other threads ${mb(m.threadsHeapUsed).toFixed(0)} MB)`;

type Payloads = Partial<Record<string, { version?: number; offer?: { id: string } }>>;

interface SoakServer {
  child: ChildProcess;
  url: string;
  id: string;
  editable: string[];
  token: string;
  /** the server's memory now, or after a full GC */
  memory(gc: boolean): Promise<Memory>;
}

/**
 * The old generation V8 gets in a 512 MB container: Node sizes the heap from
 * the cgroup's memory limit (V8's HeapSizeFromPhysicalMemory: a quarter of
 * it, times two on 64-bit, at least 256 MB), and the smaller the limit, the
 * less V8 lets the heap grow past what survived the last full collection.
 * On this 24 GB machine it gets 4 GB: in the first 20-minute soak the main
 * heap's total swung between 160 and 295 MB around far less alive, most of
 * the RSS and all of its swings.
 */
export const CONTAINER_OLD_SPACE_MB = 256;

/**
 * The bench's ledger server, with the node flags of `npm start`, with
 * --expose-gc so that it can be asked for its heap after a full collection,
 * and the heap limit of a 512 MB container unless told otherwise
 * (`--old-space-mb`; 0: V8's own for this machine).
 */
async function startServer(dataDir: string, oldSpaceMb: number): Promise<SoakServer> {
  compileServers();
  const child = fork(path.join(BUILT, 'bench/servers/ledger-server.js'), [dataDir], {
    execArgv: [...START_FLAGS, '--expose-gc', ...(oldSpaceMb > 0 ? [`--max-old-space-size=${oldSpaceMb}`] : [])],
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const started = await new Promise<{ url: string; id: string; editable: string[]; token: string }>(
    (resolve, reject) => {
      child.once('message', (m) => resolve(m as { url: string; id: string; editable: string[]; token: string }));
      child.once('exit', (code) => reject(new Error(`ledger-server exited with ${code}`)));
    },
  );
  const memory = (gc: boolean) =>
    new Promise<Memory>((resolve) => {
      child.once('message', (m) => resolve(m as Memory));
      child.send({ type: 'memory', gc });
    });
  return { child, ...started, memory };
}

/** One worker: its own publisher to change and offers to create, and the shared hot publisher to read; counts what it did. */
async function worker(
  server: SoakServer,
  own: string,
  until: () => boolean,
  counts: { requests: number; failures: number },
): Promise<void> {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${server.token}` };
  /** the answer's fields (each a payload with a version, an offer's with the offer), or undefined when it failed */
  const call = async (query: string, variables: Record<string, unknown>): Promise<Payloads | undefined> => {
    counts.requests++;
    const response = await fetch(server.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = (await response.json().catch(() => ({}))) as { data?: Payloads; errors?: unknown[] };
    if (!response.ok || body.errors || !body.data) {
      // the first failure says why (a bench's own data: nothing personal)
      if (counts.failures++ === 0)
        process.stderr.write(
          `soak: a request failed: ${response.status} ${JSON.stringify(body.errors ?? body).slice(0, 300)}\n`,
        );
      return undefined;
    }
    return body.data;
  };
  let version = (await call(OWN, { id: own }))?.['publisher']?.version ?? 1;
  for (let step = 0; !until(); step++) {
    switch (step % 10) {
      case 0:
      case 1:
      case 2:
        await call(WITH_OFFERS, { id: server.id });
        break;
      case 3:
      case 4:
        await call(OWN, { id: own });
        break;
      case 5:
        await call(HISTORY, { id: own }); // recorded as a read: a write too
        break;
      case 6:
      case 7: {
        const input = {
          id: own,
          expectedVersion: version,
          contact: { name: `Li Lei ${step}`, email: `li.lei.${step}@contoso.cn` },
        };
        const changed = await call(UPDATE, { input });
        version =
          changed?.['updatePublisherContact']?.version ??
          (await call(OWN, { id: own }))?.['publisher']?.version ??
          version;
        break;
      }
      default: {
        // a new offer (a new stream: the caches meet ever new keys) with personal data
        const created = await call(CREATE_OFFER, {
          input: { publisherId: own, name: `Soak offer ${step}`, kind: 'VIRTUAL_MACHINE' },
        });
        const offer = created?.['createOffer'];
        if (offer?.offer) {
          const supportContacts = [{ name: `Desk ${step}`, qq: `${100000 + step}`, email: `desk.${step}@contoso.cn` }];
          await call(SUPPORT, { input: { id: offer.offer.id, expectedVersion: offer.version, supportContacts } });
        }
      }
    }
  }
}

/** Least-squares slope of y over x. */
function slope(points: ReadonlyArray<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx;
}

export async function soakBenchmark(dir: string, minutes: number, oldSpaceMb = CONTAINER_OLD_SPACE_MB): Promise<Row[]> {
  const server = await startServer(path.join(dir, 'soak'), oldSpaceMb);
  try {
    const start = await server.memory(true);
    const heapLimit = oldSpaceMb > 0 ? `old space ${oldSpaceMb} MB (a 512 MB container's)` : "V8's own heap limit";
    process.stderr.write(
      `soak: ${minutes} min, ${WORKERS} workers, ${heapLimit}; at start (GC'd) ${describe(start)}\n${start.detail ?? ''}\n`,
    );
    const began = performance.now();
    const elapsedMinutes = () => (performance.now() - began) / 60_000;
    const counts = { requests: 0, failures: 0 };
    const stop = () => elapsedMinutes() >= minutes;
    const load = Promise.all(server.editable.slice(0, WORKERS).map((own) => worker(server, own, stop, counts)));
    const samples: Array<{ minute: number } & Memory> = [];
    /** the machine's 1-minute load average at each minute (it is shared: the figures mean little without it) */
    const loads: number[] = [];
    for (let i = 1; i <= minutes * SAMPLES_PER_MINUTE; i++) {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, began + (i * 60_000) / SAMPLES_PER_MINUTE - performance.now())),
      );
      const memory = await server.memory(false);
      samples.push({ minute: i / SAMPLES_PER_MINUTE, ...memory });
      if (i % SAMPLES_PER_MINUTE === 0) {
        loads.push(os.loadavg()[0]!);
        process.stderr.write(
          `soak: minute ${i / SAMPLES_PER_MINUTE}: ${describe(memory)}, ${counts.requests} requests (${counts.failures} failed), load average ${loads.at(-1)!.toFixed(1)}\n${memory.detail ?? ''}\n`,
        );
      }
    }
    await load;
    await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
    const idle = await server.memory(false);
    const after = await server.memory(true);
    process.stderr.write(
      `soak: ${IDLE_SECONDS} s after the load: ${describe(idle)}; after a full GC: ${describe(after)}\n${after.detail ?? ''}\n`,
    );
    const top = (field: 'rss' | 'heapUsed' | 'threadsHeapUsed') => mb(Math.max(...samples.map((s) => s[field])));
    const summary = (m: Memory) =>
      `${mb(m.rss).toFixed(0)} MB RSS, heap ${mb(m.heapUsed).toFixed(0)} MB (other threads ${mb(m.threadsHeapUsed).toFixed(0)} MB)`;
    process.stderr.write(
      `soak: at start ${summary(start)}; peaks of the samples ${top('rss').toFixed(0)} MB RSS, heap ${top('heapUsed').toFixed(0)} MB (other threads ${top('threadsHeapUsed').toFixed(0)} MB); ${IDLE_SECONDS} s idle and a full GC after the load ${summary(after)}\n`,
    );
    // Warm-up: the first third, at least a minute (caches fill, V8 optimises); the growth after it is what must stop.
    const warmUp = Math.max(1, minutes / 3);
    const settled = samples.filter((s) => s.minute > warmUp);
    const growth = settled.length >= 2 ? slope(settled.map((s) => [s.minute, mb(s.rss)])) : 0;
    const perMinute = samples
      .filter((_, i) => (i + 1) % SAMPLES_PER_MINUTE === 0)
      .map((s) => mb(s.rss).toFixed(0))
      .join(', ');
    const note = `${minutes} min, ${WORKERS} workers, ${heapLimit}, load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}, ${counts.requests} requests (${counts.failures} failed); RSS each minute (MB): ${perMinute}`;
    return [
      { name: 'soak RSS growth after warm-up', value: growth, unit: 'MB/min', target: { max: 2 }, note },
      {
        name: 'soak peak RSS',
        value: top('rss'),
        unit: 'MB',
        target: { max: 400 },
        note: 'a 512 MB container, with room for the page cache and the stack',
      },
      {
        name: 'soak heap after the load, idle (GC)',
        value: mb(after.heapUsed),
        unit: 'MB',
        baseline: { value: mb(start.heapUsed), unit: 'MB at start' },
        target: { max: mb(start.heapUsed) + 20 },
        note: `${IDLE_SECONDS} s idle: the caches' entries unread for their idle expiry are gone; the main thread's heap (the other threads': ${mb(start.threadsHeapUsed).toFixed(0)} MB at start, ${mb(after.threadsHeapUsed).toFixed(0)} MB after)`,
      },
      { name: 'soak failed requests', value: counts.failures, unit: 'requests', target: { max: 0 } },
    ];
  } finally {
    server.child.kill();
  }
}
