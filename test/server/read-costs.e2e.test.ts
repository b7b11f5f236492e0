import { beforeAll, describe, expect, it } from 'vitest';
import { aPublisher, openAccessGrant, REGISTER, suiteServer, type TestServer } from './harness.js';

const RECORDS =
  'query ($p: ID!) { privacyRequests(publisherId: $p, first: 100) { totalCount edges { node { kind } } } }';

/** An operation of `count` aliases of `field`, all naming the publisher `$p`. */
const aliases = (count: number, field: string) =>
  `query ($p: ID!) { ${Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

/** The publisher's privacy request records, once the read models have caught up with every record appended. */
async function recordsOf(server: TestServer, publisherId: string): Promise<number> {
  await server.ledger.runner.waitFor(await server.ledger.events.headPosition(), 5_000);
  const res = await server.gql(RECORDS, { p: publisherId }, { role: 'operator' });
  return res.data!['privacyRequests'].totalCount;
}

async function register(server: TestServer): Promise<string> {
  return (await server.gql(REGISTER, { input: aPublisher() })).data!['registerPublisher'].publisher.id;
}

describe('costs that reflect work (production defaults)', () => {
  const server = suiteServer({ NODE_ENV: 'production' });
  let publisherId: string;
  beforeAll(async () => {
    publisherId = await register(server());
  });

  it('200 aliases of exportPersonalData are refused before any runs: no export, no record', async () => {
    const before = await recordsOf(server(), publisherId);
    const res = await server().gql(aliases(200, 'exportPersonalData(publisherId: $p)'), { p: publisherId });
    expect(res.status).toBe(400);
    expect(res.data).toBeUndefined();
    expect(res.errors).toEqual([expect.objectContaining({ extensions: { code: 'QUERY_TOO_COSTLY' } })]);
    expect(await recordsOf(server(), publisherId)).toBe(before);
  });

  it('one export is served and recorded', async () => {
    const before = await recordsOf(server(), publisherId);
    const res = await server().gql(aliases(1, 'exportPersonalData(publisherId: $p)'), { p: publisherId });
    expect(res.errors).toBeUndefined();
    expect(await recordsOf(server(), publisherId)).toBe(before + 1);
  });

  it('views of more than 20 publishers in one request are refused before any is recorded', async () => {
    const ids = [];
    for (let i = 0; i < 21; i++) ids.push(await register(server()));
    const query = `{ ${ids.map((id, i) => `p${i}: publisher(id: "${id}") { contact { name } }`).join(' ')} }`;
    const res = await server().gql(query, {}, { role: 'operator' });
    expect(res.status).toBe(400);
    expect(res.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/20 .*records/),
      extensions: { code: 'QUERY_TOO_COSTLY' },
    });
    expect(await recordsOf(server(), ids[20]!)).toBe(0);
    // twenty are fine (for an operator holding a grant on each)
    for (const id of ids.slice(0, 20)) await openAccessGrant(server(), { role: 'operator' }, id);
    const twenty = query.replace(/ p20: [^}]+} }/, '');
    expect((await server().gql(twenty, {}, { role: 'operator' })).errors).toBeUndefined();
  });
});

describe('reads of whole histories cost what they read', () => {
  const server = suiteServer({ NODE_ENV: 'production', MAX_QUERY_COST: '600' });
  let publisherId: string;
  beforeAll(async () => {
    publisherId = await register(server());
  });

  it('an export costs 500: one fits a limit of 600, two do not', async () => {
    expect(
      (await server().gql(aliases(1, 'exportHistory(publisherId: $p, format: JSONL)'), { p: publisherId })).errors,
    ).toBeUndefined();
    const two = await server().gql(aliases(2, 'exportHistory(publisherId: $p, format: JSONL)'), { p: publisherId });
    expect(two.errors?.[0]).toMatchObject({
      message: 'Query cost 1000 exceeds the limit of 600.',
      extensions: { code: 'QUERY_TOO_COSTLY' },
    });
  });

  it('asOf replays the stream: 100 more than reading the current state', async () => {
    const asOf = new Date(Date.now() + 60_000).toISOString();
    const current = await server().gql(aliases(6, 'publisher(id: $p) { id }'), { p: publisherId });
    expect(current.errors).toBeUndefined();
    const past = await server().gql(
      `query ($p: ID!, $t: String) { ${Array.from({ length: 6 }, (_, i) => `a${i}: publisher(id: $p, asOf: $t) { id }`).join(' ')} }`,
      {
        p: publisherId,
        t: asOf,
      },
    );
    expect(past.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COSTLY' } });
  });
});
