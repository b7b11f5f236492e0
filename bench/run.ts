// `npm run bench`: every benchmark in one run, printed as one table. Targets
// that are ratios are measured against a baseline taken in the same run.
// BENCH_QUICK=1 shrinks counts and durations for a smoke run. Names as
// arguments run only those groups: `npm run bench -- audit`. Optional groups
// run only when named: `npm run bench -- soak --minutes 20` (the memory soak,
// 20 minutes unless told; `--old-space-mb N` its server's heap limit).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { accessGrantBenchmark } from './access-grant.js';
import { auditBenchmarks } from './audit.js';
import { decryptionBenchmark } from './decryption.js';
import { erasureBenchmark } from './erasure.js';
import { httpBenchmarks } from './http.js';
import { asOfBenchmark } from './point-in-time.js';
import { soakBenchmark } from './soak.js';
import { startupBenchmark } from './startup.js';
import { appendBenchmarks, catchUpBenchmark } from './storage.js';
import { printTable, type Row } from './table.js';

const rows: Row[] = [];
const groups = [
  ['appends', () => appendBenchmarks(dir)],
  ['catch-up', () => catchUpBenchmark(dir)],
  // Only where a replica set is named: none runs on the development machines.
  ...(process.env['MONGODB_URL']
    ? [['catch-up-mongodb', () => catchUpBenchmark(dir, process.env['MONGODB_URL'])] as const]
    : []),
  ['startup', () => startupBenchmark(dir)],
  ['http', () => httpBenchmarks(dir)],
  ['audit', () => auditBenchmarks(dir)],
  ['asOf', () => asOfBenchmark(dir)],
  ['erasure', () => erasureBenchmark(dir)],
  ['decryption', () => decryptionBenchmark(dir)],
  ['grants', () => accessGrantBenchmark(dir)],
] as const;
const args = process.argv.slice(2);
const minutesAt = args.indexOf('--minutes');
const minutes = minutesAt >= 0 ? Number(args.splice(minutesAt, 2)[1]) : 20;
if (!(minutes > 0)) {
  process.stderr.write('--minutes takes a positive number\n');
  process.exit(2);
}
// the soak's server heap: a 512 MB container's unless told (0: V8's own for this machine)
const oldSpaceAt = args.indexOf('--old-space-mb');
const oldSpaceMb = oldSpaceAt >= 0 ? Number(args.splice(oldSpaceAt, 2)[1]) : undefined;
if (oldSpaceMb !== undefined && !(oldSpaceMb >= 0)) {
  process.stderr.write('--old-space-mb takes a number of megabytes (0: V8 sizes the heap)\n');
  process.exit(2);
}
const optional = [['soak', () => soakBenchmark(dir, minutes, oldSpaceMb)]] as const;
const only = args;
const unknown = only.filter((name) => ![...groups, ...optional].some(([label]) => label === name));
if (unknown.length) {
  process.stderr.write(
    `unknown benchmark ${unknown.join(', ')}; known: ${[...groups, ...optional].map(([label]) => label).join(', ')}\n`,
  );
  process.exit(2);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-'));
try {
  const chosen = [
    ...groups.filter(([label]) => only.length === 0 || only.includes(label)),
    ...optional.filter(([label]) => only.includes(label)),
  ];
  for (const [label, run] of chosen) {
    process.stderr.write(`running ${label}...\n`);
    rows.push(...(await run()));
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
const allMet = printTable(rows);
process.stdout.write(`\n${allMet ? 'all targets met' : 'some targets not met (rows marked NO)'}\n`);
