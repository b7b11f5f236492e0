import { MongoClient, type Document } from 'mongodb';
import { collect } from '../events/store/kurrentdb/kurrentdb-calls.js';
import { kurrent } from '../events/store/kurrentdb/kurrentdb-client.js';
import type { Config } from '../server/config.js';
import { replicaSetProblem } from '../server/mongo-replica-set.js';
import type { Finding } from './doctor-finding.js';

/** Beyond this, leases (whose expiry each worker computes by its own clock) and audit instants drift apart. */
const SKEW_WARN_MS = 1_000;
const SKEW_FAIL_MS = 5_000;
/** The oldest MongoDB the read side is written for (update pipelines, $type lists in partial indexes, snapshot transactions). */
const MONGODB_MIN_MAJOR = 6;

const reason = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);

/** The checks of the distributed shape's servers; every sentence names a setting, never a URL (it may hold a password). */
export async function distributedChecks(config: Config): Promise<Finding[]> {
  const findings: Finding[] = [];
  if (config.mongodbUrl)
    findings.push(...(await mongoChecks(config.mongodbUrl, config.mongodbDatabase, 'MONGODB_URL')));
  if (config.mongodbKeysUrl && config.mongodbKeysUrl !== config.mongodbUrl)
    findings.push(...(await mongoChecks(config.mongodbKeysUrl, config.mongodbDatabase, 'MONGODB_KEYS_URL')));
  if (config.kurrentdbUrl) findings.push(...(await kurrentChecks(config.kurrentdbUrl)));
  return findings;
}

async function mongoChecks(url: string, database: string, setting: string): Promise<Finding[]> {
  const out: Finding[] = [];
  const check = (status: Finding['status'], name: string, detail: string) =>
    out.push({ status, check: `${setting}: ${name}`, detail });
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000, appName: 'privacy-ledger doctor' });
  try {
    await client.connect();
  } catch (error) {
    check('fail', 'connection', `no server answered (${reason(error)})`);
    return out;
  }
  try {
    const admin = client.db('admin');
    const version = String((await admin.command({ buildInfo: 1 }))['version']);
    check(
      Number(version.split('.')[0]) >= MONGODB_MIN_MAJOR ? 'ok' : 'fail',
      'server version',
      `MongoDB ${version} (${MONGODB_MIN_MAJOR}.0 or later needed)`,
    );
    const sent = Date.now();
    const hello = await admin.command({ hello: 1 });
    const skew = Math.abs((hello['localTime'] as Date).getTime() - (sent + Date.now()) / 2);
    const problem = replicaSetProblem(hello);
    check(
      problem ? 'fail' : 'ok',
      'replica set',
      problem ??
        `${String(hello['setName'] ?? 'sharded')}, ${(hello['hosts'] as unknown[] | undefined)?.length ?? '?'} data-bearing members, primary ${hello['primary'] ? 'elected' : 'none'}`,
    );
    check(
      skew > SKEW_FAIL_MS ? 'fail' : skew > SKEW_WARN_MS ? 'warn' : 'ok',
      'clock skew',
      `${Math.round(skew)} ms between the server and this machine`,
    );
    check(
      client.options.tls ? 'ok' : 'warn',
      'TLS',
      client.options.tls ? 'on' : 'off: only fit for a private network (add tls=true and tlsCAFile to the URL)',
    );
    const probe = client.db(database).collection<{ _id: string; at: Date }>('_doctor_probe');
    try {
      await probe.insertOne(
        { _id: `probe-${process.pid}-${sent}`, at: new Date() },
        { writeConcern: { w: 'majority', wtimeoutMS: 5_000 } },
      );
      check('ok', 'majority write concern', `a write was acknowledged by a majority in ${Date.now() - sent} ms`);
    } catch (error) {
      check('fail', 'majority write concern', `no majority acknowledged a write within 5 s (${reason(error)})`);
    }
    const session = client.startSession();
    try {
      await session.withTransaction(async () => void (await probe.findOne({}, { session })), {
        readConcern: { level: 'snapshot' },
        writeConcern: { w: 'majority' },
      });
      check('ok', 'transactions', 'a snapshot transaction committed');
    } catch (error) {
      check('fail', 'transactions', `refused (${reason(error)}): every projection batch would fail`);
    } finally {
      await session.endSession();
      await client
        .db(database)
        .dropCollection('_doctor_probe')
        .catch(() => undefined);
    }
    out.push(await indexCheck(client, database, setting));
  } catch (error) {
    check('fail', 'server', reason(error));
  } finally {
    await client.close();
  }
  return out;
}

/** Unique indexes built before nulls were left out ($exists covers an explicit null): the next start rebuilds them. */
async function indexCheck(client: MongoClient, database: string, setting: string): Promise<Finding> {
  const db = client.db(database);
  const collections = (await db.listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .filter((name) => name.startsWith('doc_'));
  const stale: string[] = [];
  let unique = 0;
  for (const name of collections) {
    for (const index of (await db.collection(name).listIndexes().toArray()) as Document[]) {
      if (index['unique'] !== true || index['name'] === '_id_') continue;
      unique++;
      if (JSON.stringify(index['partialFilterExpression'] ?? {}).includes('$exists'))
        stale.push(`${name}.${String(index['name'])}`);
    }
  }
  return stale.length > 0
    ? {
        status: 'warn',
        check: `${setting}: indexes`,
        detail: `unique indexes that still cover nulls (rebuilt at the next start): ${stale.join(', ')}`,
      }
    : {
        status: 'ok',
        check: `${setting}: indexes`,
        detail: `${collections.length} read-model collections, ${unique} unique indexes, none covering nulls`,
      };
}

async function kurrentChecks(url: string): Promise<Finding[]> {
  const out: Finding[] = [];
  const check = (status: Finding['status'], name: string, detail: string) =>
    out.push({ status, check: `KURRENTDB_URL: ${name}`, detail });
  const tls = !/[?&]tls=false(&|$)/i.test(url);
  check(
    tls ? 'ok' : 'warn',
    'TLS',
    tls
      ? /[?&]tlsVerifyCert=false(&|$)/i.test(url)
        ? 'on, but certificates are not verified (tlsVerifyCert=false)'
        : 'on, certificates verified'
      : 'off (tls=false): only fit for a private network',
  );
  let client;
  try {
    client = kurrent().KurrentDBClient.connectionString(url);
  } catch (error) {
    check('fail', 'connection string', reason(error).replaceAll(url, '<url>'));
    return out;
  }
  try {
    const features = await (client as unknown as { capabilities: Promise<{ serverVersion: string }> }).capabilities;
    check(
      'ok',
      'server version',
      `KurrentDB ${features.serverVersion || 'of unknown version'} (22.6 or later needed; 24.10 LTS or later recommended)`,
    );
  } catch (error) {
    check('fail', 'server version', `no answer (${reason(error)})`);
  }
  check(
    'info',
    'clock skew',
    'not measured: KurrentDB tells its clients no time (positions, not clocks, order the log)',
  );
  try {
    // A leader-only read: only a leader answers it (with "no such stream").
    await collect(client.readStream('$privacy-ledger-doctor', { requiresLeader: true, maxCount: 1 }), 5_000).catch(
      (error: unknown) => {
        if (!(error instanceof kurrent().StreamNotFoundError)) throw error;
      },
    );
    check('ok', 'leader', 'a leader answered a leader-only read');
  } catch (error) {
    check('fail', 'leader', `no leader answered (${reason(error)}): appends would fail`);
  } finally {
    await client.dispose();
  }
  return out;
}
