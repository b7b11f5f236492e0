/** One row of the benchmark table. `ratio` and `met` are derived from value, baseline and target. */
export interface Row {
  name: string;
  value: number;
  unit: string;
  baseline?: { value: number; unit: string };
  /** the ratio to the baseline when measured otherwise than value / baseline (the median of alternating rounds' ratios) */
  ratio?: number;
  /** the row meets its target when value (or value/baseline when ratio) is at least `min`, or at most `max` */
  target?: { min: number; ratio: boolean } | { max: number; ratio?: boolean };
  note?: string;
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));

export function printTable(rows: Row[]): boolean {
  const header = ['benchmark', 'value', 'baseline', 'ratio', 'target', 'met'];
  const lines = rows.map((row) => {
    const ratio = row.ratio ?? (row.baseline ? row.value / row.baseline.value : undefined);
    let target = '';
    let met = '';
    if (row.target && 'min' in row.target) {
      const measured = row.target.ratio ? ratio! : row.value;
      target = row.target.ratio ? `>= ${row.target.min.toFixed(2)}` : `>= ${fmt(row.target.min)} ${row.unit}`;
      met = measured >= row.target.min ? 'yes' : 'NO';
    } else if (row.target) {
      const measured = row.target.ratio ? ratio! : row.value;
      target = row.target.ratio ? `<= ${row.target.max.toFixed(2)}` : `<= ${fmt(row.target.max)} ${row.unit}`;
      met = measured <= row.target.max ? 'yes' : 'NO';
    }
    return [
      row.name,
      `${fmt(row.value)} ${row.unit}`,
      row.baseline ? `${fmt(row.baseline.value)} ${row.baseline.unit}` : '',
      ratio !== undefined ? ratio.toFixed(2) : '',
      target,
      met,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  process.stdout.write(`\n${render(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const line of lines) process.stdout.write(`${render(line)}\n`);
  for (const row of rows.filter((r) => r.note)) process.stdout.write(`  * ${row.name}: ${row.note}\n`);
  process.stdout.write('\n');
  lines.forEach((line, i) => {
    if (!line[5]) return;
    const measured = line[3] ? `${line[1]} = ${line[3]} of ${line[2]}` : line[1];
    process.stdout.write(
      `target ${line[5] === 'yes' ? 'met    ' : 'NOT MET'}  ${rows[i]!.name}: ${measured}, target ${line[4]}\n`,
    );
  });
  return lines.every((l) => l[5] !== 'NO');
}

/** Runs `step` repeatedly for about `ms` milliseconds; returns operations per second. */
export async function ratePerSecond(ms: number, step: (i: number) => Promise<number> | number): Promise<number> {
  let operations = 0;
  let i = 0;
  const started = performance.now();
  while (performance.now() - started < ms) operations += await step(i++);
  return operations / ((performance.now() - started) / 1000);
}
