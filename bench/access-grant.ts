import fs from 'node:fs';
import path from 'node:path';
import {
  PUBLISHER,
  query,
  startChild,
  summed,
  window,
  CONNECTIONS,
  WARM_UP_SECONDS,
  WINDOWS,
  quick,
  type Measured,
  type Started,
} from './http.js';
import type { Row } from './table.js';

/**
 * Issue 24: reading a publisher as an operator under an access grant costs
 * at most 10% more than a member's read of the same publisher. One server,
 * one publisher, the same query (with the contact: personal values), loaded
 * in alternating windows by the member who registered it and by an operator
 * holding a grant on it (bench/servers/ledger-server.ts opens it). The cost
 * of a request is the time per request at the same concurrency (1 / req/s).
 */
export async function accessGrantBenchmark(dir: string): Promise<Row[]> {
  const seconds = quick ? 1 : 3;
  const server = await startChild('ledger-server.ts', fs.mkdtempSync(path.join(dir, 'grants-')), 'grants');
  try {
    if (!server.operatorToken) throw new Error('the bench server opened no access grant');
    const member: Started = server;
    const operator: Started = { ...server, token: server.operatorToken };
    const load = query(PUBLISHER);
    for (const as of [member, operator]) await window(as, WARM_UP_SECONDS, load, 0, 'warm-up');
    const memberWindows: Measured[] = [];
    const operatorWindows: Measured[] = [];
    for (let w = 0; w < WINDOWS; w++) {
      const byMember = async () => memberWindows.push(await window(member, seconds, load, 0, `member window ${w + 1}`));
      const byOperator = async () =>
        operatorWindows.push(await window(operator, seconds, load, 0, `operator window ${w + 1}`));
      if (w % 2 === 0) await byMember().then(byOperator);
      else await byOperator().then(byMember);
    }
    const ours = summed(operatorWindows);
    const theirs = summed(memberWindows);
    const pairs = operatorWindows.map((o, i) => (memberWindows[i]!.requests / o.requests).toFixed(2)).join(', ');
    return [
      {
        name: 'operator read under a grant vs member read of the same publisher',
        value: 1e6 / ours.rps,
        unit: 'µs/req',
        baseline: { value: 1e6 / theirs.rps, unit: 'µs/req' },
        target: { max: 1.1, ratio: true },
        note: `time per request at ${CONNECTIONS} connections (operator ${Math.round(ours.rps)} req/s, member ${Math.round(theirs.rps)} req/s); ${WINDOWS} alternating windows of ${seconds} s after a ${WARM_UP_SECONDS} s warm-up each (ratio per pair: ${pairs}); one server, the same publisher and query`,
      },
    ];
  } finally {
    const exited = new Promise((r) => server.child.once('exit', r));
    server.child.disconnect();
    await exited;
  }
}
