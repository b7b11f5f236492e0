// `npm run bench -- startup`: the first start on a 200k-event log (issue 25).
// A log of 2,000 publisher streams of 100 events each (contact values sealed
// as in production) is written once; each run copies it and its key store,
// without read models, into a fresh data directory and starts the real server
// there as `npm start` runs it (compiled, `serve`, the projection thread), then
// times, from the process's start, /readyz answering 200 and every projection
// having caught up (/readyz naming none behind).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { systemClock, uuidV7Ids } from '../src/clock.js';
import { publisherStream, type PublisherEvent } from '../src/events/publisher/publisher.events.js';
import { EventCodec } from '../src/events/store/event-codec.js';
import { MASTER_KEY_FILE } from '../src/privacy/keys/master-key.js';
import { PersonalDataCodec } from '../src/privacy/personal-data-codec.js';
import { embeddedFiles, openLedger } from '../src/server/ledger.js';
import { BUILT, compileServers, quick, START_FLAGS } from './http.js';
import { contactChange, registration } from './publisher-events.js';
import type { Row } from './table.js';

const PUBLISHERS = quick ? 200 : 2_000;
const EVENTS_PER_STREAM = 100;
const RUNS = quick ? 1 : 3;
const TARGET_SECONDS = 5;

/** Writes the log (and its key store and master key) into `dir`; no projection runs. */
export async function writeLog(dir: string): Promise<void> {
  const ledger = await openLedger({ dataDir: dir, readYourWritesTimeoutMs: 1_000 });
  try {
    const codec = new EventCodec(new PersonalDataCodec(ledger.keys), systemClock, uuidV7Ids);
    const context = { actor: { id: 'bench', kind: 'system' as const }, correlationId: 'bench' };
    for (let p = 0; p < PUBLISHERS; p++) {
      const publisherId = uuidV7Ids.next();
      const now = new Date().toISOString();
      const events: PublisherEvent[] = [registration(publisherId, p, now)];
      for (let i = 1; i < EVENTS_PER_STREAM; i++) events.push(contactChange(publisherId, p, i, now));
      await ledger.events.append(publisherStream(publisherId), await codec.encode(events, context), {
        expectedRevision: 'no_stream',
      });
    }
  } finally {
    await ledger.close();
  }
}

/** The data directory of a first start: the log, the keys and the master key, no read models. */
export function copyWithoutReadModels(source: string, target: string): void {
  fs.mkdirSync(target, { mode: 0o700 });
  const kept = [embeddedFiles.events, embeddedFiles.keys, MASTER_KEY_FILE];
  for (const name of fs.readdirSync(source))
    if (kept.some((file) => name === file || name.startsWith(`${file}-`)))
      fs.copyFileSync(path.join(source, name), path.join(target, name));
}

interface Readyz {
  status: string;
  behind: Array<{ projection: string; lag: number }>;
}

/** Starts `serve` on `dataDir`; resolves with the seconds until /readyz is 200 and until nothing is behind. */
async function firstStart(dataDir: string): Promise<{ ready: number; caughtUp: number; behindAtReady: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, [...START_FLAGS, path.join(BUILT, 'src/cli/main.js'), 'serve'], {
    env: { ...process.env, NODE_ENV: 'production', DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const url = /"url":"(http:[^"]+)\/graphql"/.exec(buffered)?.[1];
        if (url) resolve(url);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code} before serving`)));
    });
    let ready: number | undefined;
    let behindAtReady = '';
    for (;;) {
      const response = await fetch(`${base}/readyz`);
      const body = (await response.json()) as Readyz;
      const at = (performance.now() - started) / 1000;
      if (response.status === 200 && ready === undefined) {
        ready = at;
        behindAtReady = body.behind.map((b) => `${b.projection} ${b.lag.toLocaleString('en-US')}`).join(', ');
      }
      if (ready !== undefined && body.behind.length === 0) return { ready, caughtUp: at, behindAtReady };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

export async function startupBenchmark(dir: string): Promise<Row[]> {
  compileServers();
  const source = path.join(dir, 'startup-log');
  const writing = performance.now();
  await writeLog(source);
  const written = (performance.now() - writing) / 1000;
  const runs: Array<Awaited<ReturnType<typeof firstStart>>> = [];
  for (let run = 0; run < RUNS; run++) {
    const dataDir = path.join(dir, `startup-${run}`);
    copyWithoutReadModels(source, dataDir);
    runs.push(await firstStart(dataDir));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const list = (values: number[]) => values.map((s) => s.toFixed(1)).join(' / ');
  const events = (PUBLISHERS * EVENTS_PER_STREAM).toLocaleString('en-US');
  return [
    {
      name: `first start on a ${events}-event log: /readyz 200`,
      value: median(runs.map((r) => r.ready)),
      unit: 's',
      target: { max: TARGET_SECONDS },
      note: `median of ${RUNS} runs (${list(runs.map((r) => r.ready))} s), from the process's start (compiled \`serve\`, projection thread) to /readyz 200; behind then: ${runs[0]!.behindAtReady || 'none'}; the log written in ${written.toFixed(1)} s (${PUBLISHERS.toLocaleString('en-US')} publisher streams of ${EVENTS_PER_STREAM} events)`,
    },
    {
      name: `first start on a ${events}-event log: every projection caught up`,
      value: median(runs.map((r) => r.caughtUp)),
      unit: 's',
      note: `median of ${RUNS} runs (${list(runs.map((r) => r.caughtUp))} s), from the process's start to /readyz naming no projection behind`,
    },
  ];
}
