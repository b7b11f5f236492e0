import { randomUUID } from 'node:crypto';

/**
 * `npm run test:distributed` (scripts/test-distributed.ts) sets
 * PRIVACY_LEDGER_TEST_DISTRIBUTED=1: the HTTP end-to-end servers then run
 * on the stores KURRENTDB_URL and MONGODB_URL name, each server with a
 * MongoDB database of its own. KurrentDB has no namespace to give each: all
 * servers of a run share the cluster's log (see deploy/README.md).
 * Otherwise (every ordinary run) they stay embedded.
 */
export function distributedStoreEnv(): Record<string, string> {
  if (process.env['PRIVACY_LEDGER_TEST_DISTRIBUTED'] !== '1') return {};
  const env: Record<string, string> = {};
  const kurrentdb = process.env['KURRENTDB_URL'];
  const mongodb = process.env['MONGODB_URL'];
  if (kurrentdb) env['KURRENTDB_URL'] = kurrentdb;
  if (mongodb)
    Object.assign(env, {
      MONGODB_URL: mongodb,
      MONGODB_DATABASE: `pl_e2e_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
    });
  return env;
}
