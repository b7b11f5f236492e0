#!/usr/bin/env bash
# Runs the whole test suite N times (default 5) while stress-ng keeps every
# core half busy, so a test that only passes on an idle machine shows up here
# instead of in CI (issue 19, part 4). Prints one result line per run; logs and
# vitest JSON reports stay in $OUT (default: a fresh temp dir).
#
#   scripts/loaded-runs.sh [N] [extra vitest args...]
#   LOAD=0 scripts/loaded-runs.sh 3          # no extra load
#   LOAD=80 scripts/loaded-runs.sh 5 test/server
#
# Needs stress-ng (Debian: apt-get install stress-ng) unless LOAD=0.
set -uo pipefail
cd "$(dirname "$0")/.."

runs="${1:-5}"
shift || true
load="${LOAD:-50}"
out="${OUT:-$(mktemp -d -t loaded-runs.XXXXXX)}"
mkdir -p "$out"

stress_pid=
stop_stress() { [ -n "$stress_pid" ] && kill "$stress_pid" 2>/dev/null; wait 2>/dev/null; }
trap stop_stress EXIT
trap "exit 130" INT TERM
if [ "$load" -gt 0 ]; then
  command -v stress-ng >/dev/null || { echo "stress-ng not found (apt-get install stress-ng, or LOAD=0)" >&2; exit 2; }
  stress-ng --cpu "$(nproc)" --cpu-load "$load" --quiet &
  stress_pid=$!
fi

echo "# $runs run(s), $(nproc) cores, stress-ng --cpu-load ${load}%, output in $out"
failed_runs=0
for i in $(seq 1 "$runs"); do
  json="$out/run-$i.json"
  start=$(date +%s)
  npx vitest run --reporter=default --reporter=json --outputFile.json="$json" "$@" >"$out/run-$i.log" 2>&1
  code=$?
  secs=$(( $(date +%s) - start ))
  node -e '
    const fs = require("fs");
    const [json, run, secs, code, loadavg] = process.argv.slice(1);
    let r;
    try { r = JSON.parse(fs.readFileSync(json, "utf8")); } catch { r = null; }
    if (!r) { console.log(`run ${run}: no report (exit ${code}, ${secs}s, load ${loadavg})`); process.exit(0); }
    const failedFiles = r.testResults.filter((f) => f.status === "failed" && f.assertionResults.every((a) => a.status !== "failed"));
    const failures = r.testResults.flatMap((f) =>
      f.assertionResults.filter((a) => a.status === "failed").map((a) => `${f.name.replace(process.cwd() + "/", "")} > ${a.fullName}`));
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`run ${run}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped, ` +
      `${failedFiles.length} file errors, ${secs}s, load ${loadavg} (exit ${code})`);
    for (const f of failures) console.log(`  FAIL ${f}`);
    for (const f of failedFiles) console.log(`  FILE ${f.name.replace(process.cwd() + "/", "")}: ${(f.message || "").split("\n")[0]}`);
  ' "$json" "$i" "$secs" "$code" "$(cut -d' ' -f1-3 /proc/loadavg)"
  [ "$code" -ne 0 ] && failed_runs=$((failed_runs + 1))
done
echo "# $failed_runs of $runs run(s) failed"
[ "$failed_runs" -eq 0 ]
