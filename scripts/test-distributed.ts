/**
 * `npm run test:distributed`: every port contract suite and the HTTP
 * end-to-end suites against the stores KURRENTDB_URL and MONGODB_URL name.
 * The first thing to run on a new cluster (deploy/README.md). Extra
 * arguments go to vitest (e.g. a file filter).
 */
import { spawnSync } from 'node:child_process';

const kurrentdb = process.env['KURRENTDB_URL'];
const mongodb = process.env['MONGODB_URL'];
if (!kurrentdb && !mongodb) {
  process.stderr.write(
    'test:distributed: set KURRENTDB_URL (a KurrentDB cluster) and/or MONGODB_URL (a MongoDB replica set); without either there is nothing distributed to test.\n',
  );
  process.exit(2);
}
process.stdout.write(
  `test:distributed: event store ${kurrentdb ? 'KurrentDB (KURRENTDB_URL)' : 'SQLite'}, read side ${mongodb ? 'MongoDB (MONGODB_URL)' : 'SQLite'}\n`,
);

const suites = [
  // the ports' contracts (each skips, saying why, when its URL is unset)
  'test/events/store/kurrentdb/kurrentdb-event-store.test.ts',
  'test/events/store/kurrentdb/',
  'test/projections/store/mongodb/mongo-read-store.test.ts',
  'test/projections/store/mongodb/mongo-lease-store.test.ts',
  'test/privacy/keys/mongodb-key-store.test.ts',
  'test/server/read-store-factory.test.ts',
  // doctor --conformance against the same stores
  'test/cli/doctor.test.ts',
  // the HTTP end-to-end suites, their servers on these stores (test/distributed-stores.ts)
  'test/server/',
];
const result = spawnSync('npx', ['vitest', 'run', ...suites, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, PRIVACY_LEDGER_TEST_DISTRIBUTED: '1' },
});
process.exit(result.status ?? 1);
