/** Edit distance (insertions, deletions, substitutions, adjacent swaps): how far a typo is from a name. */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * ` Did you mean X?` for the known name closest to `typed`, or '' when none
 * is close (a third of the name's length, at least 2 edits; or one name
 * holding the other, as `--port` in `--ports`).
 */
export function didYouMean(typed: string, known: readonly string[]): string {
  const lower = typed.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = distance(lower, name.toLowerCase());
    if (!best || d < best.d) best = { name, d };
  }
  if (!best) return '';
  const close = best.d <= Math.max(2, Math.floor(best.name.length / 3));
  const contained = known.find(
    (name) => lower.length > 3 && (name.toLowerCase().includes(lower) || lower.includes(name.toLowerCase())),
  );
  const suggestion = close ? best.name : contained;
  return suggestion ? ` Did you mean ${suggestion}?` : '';
}
