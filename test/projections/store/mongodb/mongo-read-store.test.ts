import { describe } from 'vitest';
import { MongoReadStore } from '../../../../src/projections/store/mongodb/mongo-read-store.js';
import { freshMongoDatabase, mongoSuiteName, mongoUrl } from '../../../mongodb-fixture.js';
import { readStoreContract } from '../read-store.contract.js';

describe.skipIf(!mongoUrl)(mongoSuiteName('MongoDB read store'), () => {
  readStoreContract('MongoDB', async () => {
    const { client, db, cleanup } = await freshMongoDatabase();
    const store = new MongoReadStore(client, db);
    return { store, cleanup: async () => (await store.close(), await cleanup()) };
  });
});
