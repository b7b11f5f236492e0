// Prints where a V8 CPU profile (from BENCH_PROFILE, or node --cpu-prof)
// spent its time: self time by function and by file, largest first.
// usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [rows]
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, rowsArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [rows]');
const rows = Number(rowsArg ?? 30);
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;

const selfTime = new Map<number, number>();
profile.samples.forEach((node, i) => selfTime.set(node, (selfTime.get(node) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfTime.values()].reduce((a, b) => a + b, 0);

const shortUrl = (url: string) =>
  url.replace(/^.*node_modules\//, 'npm:').replace(/^file:\/\/.*?\/(src|bench|test)\//, '$1/');
const sum = (key: (frame: ProfileNode['callFrame']) => string) => {
  const totals = new Map<string, number>();
  for (const node of profile.nodes) {
    const k = key(node.callFrame);
    totals.set(k, (totals.get(k) ?? 0) + (selfTime.get(node.id) ?? 0));
  }
  return [...totals].sort((a, b) => b[1] - a[1]).slice(0, rows);
};
const print = (title: string, entries: [string, number][]) => {
  process.stdout.write(`${title}\n`);
  for (const [k, t] of entries) process.stdout.write(`${((t / total) * 100).toFixed(1).padStart(6)}%  ${k}\n`);
};
print(
  'self time by function',
  sum((f) => `${f.functionName || '(anonymous)'}  ${shortUrl(f.url)}:${f.lineNumber + 1}`),
);
print(
  '\nself time by package or file',
  sum((f) => shortUrl(f.url).replace(/^(npm:(@[^/]+\/)?[^/]+).*/, '$1') || '(native, GC, idle)'),
);
