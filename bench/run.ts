// `npm run bench`: every benchmark in one run, printed as one table. Targets
// that are ratios are measured against a baseline taken in the same run.
// BENCH_QUICK=1 shrinks counts and durations for a smoke run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { asOfBenchmark } from './audit.js';
import { erasureBenchmark } from './erasure.js';
import { httpBenchmarks } from './http.js';
import { appendBenchmarks, catchUpBenchmark } from './storage.js';
import { printTable, type Row } from './table.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-'));
const rows: Row[] = [];
try {
  for (const [label, run] of [
    ['appends', () => appendBenchmarks(dir)],
    ['catch-up', () => catchUpBenchmark(dir)],
    ['http', () => httpBenchmarks(dir)],
    ['asOf', () => asOfBenchmark(dir)],
    ['erasure', () => erasureBenchmark(dir)],
  ] as const) {
    process.stderr.write(`running ${label}...\n`);
    rows.push(...(await run()));
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
const allMet = printTable(rows);
process.stdout.write(`\n${allMet ? 'all targets met' : 'some targets not met (rows marked NO)'}\n`);
