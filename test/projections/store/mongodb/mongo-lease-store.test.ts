import { describe } from 'vitest';
import { MongoLeaseStore } from '../../../../src/projections/store/mongodb/mongo-lease-store.js';
import { MongoReadStore } from '../../../../src/projections/store/mongodb/mongo-read-store.js';
import { freshMongoDatabase, mongoSuiteName, mongoUrl } from '../../../mongodb-fixture.js';
import { leaseContract } from '../lease.contract.js';

describe.skipIf(!mongoUrl)(mongoSuiteName('MongoDB leases'), () => {
  leaseContract('MongoDB', async (clock) => {
    const { client, db, cleanup } = await freshMongoDatabase();
    return {
      open: async () => new MongoLeaseStore(db, clock),
      reads: new MongoReadStore(client, db),
      cleanup,
    };
  });
});
