// One process opening the MongoDB key store (argv: url, database, master key as base64),
// for the two-process first-start test in mongodb-key-store.test.ts. Prints the
// subject's key id on success; exits 1 with the error's message otherwise.
import { MongoClient } from 'mongodb';
import { MongoKeyStore } from '../../../src/privacy/keys/mongodb-key-store.js';
import { keyIdOf } from '../../../src/privacy/personal-value.js';

const [url, database, masterKey] = process.argv.slice(2);
const client = await new MongoClient(url!, { ignoreUndefined: true }).connect();
try {
  const store = await MongoKeyStore.open(client.db(database), Buffer.from(masterKey!, 'base64'));
  process.stdout.write(keyIdOf(await store.getOrCreate('subject-a')));
  await store.close();
} catch (error) {
  process.stderr.write(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
} finally {
  await client.close();
}
