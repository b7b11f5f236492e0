import { randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';

/**
 * The MongoDB adapters run their contract suites only against a real
 * replica set named by MONGODB_URL (transactions need one). None runs on
 * the development machines, so without it the suites are skipped, and say so.
 */
export const mongoUrl = process.env['MONGODB_URL'];

/** A describe name that says why the suite did not run. */
export const mongoSuiteName = (suite: string): string =>
  mongoUrl ? suite : `${suite} (skipped: set MONGODB_URL to a MongoDB replica set to run it)`;

export interface MongoFixture {
  client: MongoClient;
  db: Db;
  /** drops the database and closes the client */
  cleanup(): Promise<void>;
}

/** A connected client and a database of its own, dropped afterwards. */
export async function freshMongoDatabase(): Promise<MongoFixture> {
  if (!mongoUrl) throw new Error('MONGODB_URL is not set');
  const client = await new MongoClient(mongoUrl, { ignoreUndefined: true }).connect();
  const db = client.db(`pl_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`);
  return {
    client,
    db,
    async cleanup() {
      try {
        await db.dropDatabase();
      } finally {
        await client.close();
      }
    },
  };
}
