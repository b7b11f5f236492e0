import { MongoClient } from 'mongodb';
import type { Clock } from '../clock.js';
import { MongoKeyStore } from '../privacy/keys/mongodb-key-store.js';
import { MongoLeaseStore } from '../projections/store/mongodb/mongo-lease-store.js';
import { MongoReadStore } from '../projections/store/mongodb/mongo-read-store.js';
import { replicaSetProblem } from './mongo-replica-set.js';
import type { ReadSide } from './read-side.js';

/** A connected client; the error names the setting, never the URL (it may hold credentials). */
async function connect(url: string, setting: string): Promise<MongoClient> {
  // ignoreUndefined: an undefined field is left out, as JSON (and so the SQLite store) leaves it out.
  const client = new MongoClient(url, { ignoreUndefined: true, appName: 'privacy-ledger' });
  try {
    return await client.connect();
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new Error(
      `could not connect to MongoDB (${error instanceof Error ? error.name : 'unknown error'}); check ${setting}`,
    );
  }
}

/** Refuses, at start, a deployment the read side cannot run on; names the setting, never the URL. */
async function checkReplicaSet(client: MongoClient, setting: string): Promise<void> {
  const problem = replicaSetProblem(await client.db('admin').command({ hello: 1 }));
  if (problem) throw new Error(`${setting} ${problem}`);
}

/** The read side on MongoDB (./read-store-factory.ts openReadSide, which loads this module only then). */
export async function openMongoReadSide(
  url: string,
  keysUrl: string | undefined,
  database: string,
  masterKey: Buffer,
  clock: Clock,
): Promise<ReadSide> {
  const clients: MongoClient[] = [];
  const closeAll = async () => void (await Promise.all(clients.map((client) => client.close())));
  try {
    const client = await connect(url, '--mongodb-url / MONGODB_URL');
    clients.push(client);
    await checkReplicaSet(client, '--mongodb-url / MONGODB_URL');
    const keyClient =
      keysUrl && keysUrl !== url ? await connect(keysUrl, '--mongodb-keys-url / MONGODB_KEYS_URL') : client;
    if (keyClient !== client)
      (clients.push(keyClient), await checkReplicaSet(keyClient, '--mongodb-keys-url / MONGODB_KEYS_URL'));
    const db = client.db(database);
    const keys = await MongoKeyStore.open(keyClient.db(database), masterKey, clock);
    return {
      reads: new MongoReadStore(client, db),
      keys,
      leases: new MongoLeaseStore(db, clock),
      backend: 'mongodb',
      async close() {
        await keys.close();
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
