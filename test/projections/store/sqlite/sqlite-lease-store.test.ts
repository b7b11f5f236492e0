import path from 'node:path';
import { SqliteReadStore } from '../../../../src/projections/store/sqlite/sqlite-read-store.js';
import { SqliteLeaseStore } from '../../../../src/projections/store/sqlite/sqlite-lease-store.js';
import { tempDir } from '../../fixtures.js';
import { leaseContract } from '../lease.contract.js';

// Every store opens its own connection to the read-model file, as separate worker processes do.
leaseContract('SQLite', async (clock) => {
  const tmp = tempDir('pl-lease-');
  const file = path.join(tmp.dir, 'read-models.sqlite');
  const reads = SqliteReadStore.open(file);
  return {
    open: async () => SqliteLeaseStore.open(file, clock),
    reads,
    cleanup: async () => (await reads.close(), tmp.remove()),
  };
});
