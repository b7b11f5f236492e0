import { describe, expect, it } from 'vitest';
import { accessGrantStream } from '../../src/events/access-grant/access-grant.events.js';
import { privacyRequestStream } from '../../src/events/privacy-request/privacy-request.js';
import { aPublisher, openAccessGrant, REGISTER, suiteServer, type TestPrincipal, type TestServer } from './harness.js';

const operator: TestPrincipal = { role: 'operator' };
const auditor: TestPrincipal = { role: 'auditor' };

/** README: every event records its actor, with the permission column that allowed what it records. */
describe('a recorded read names the column that allowed it', () => {
  const suite = suiteServer();

  /** The recorded reads of the publisher, in log order: kind, target and the actor's role (a read under an access grant is recorded against the grant). */
  const recorded = async (server: TestServer, publisherId: string) => {
    await server.ledger.services.readRecorder.drain();
    const events = [
      ...(await server.ledger.events.readStream(privacyRequestStream(publisherId))),
      ...(await server.ledger.events.readStream(accessGrantStream(publisherId))),
    ].sort((a, b) => a.position - b.position);
    return events
      .filter((event) => event.type === 'PrivacyRequestRecorded' || event.type === 'AccessGrantUsed')
      .map((event) => {
        const data = event.data as { kind?: string; target: string };
        const grant = event.type === 'AccessGrantUsed' ? ' under a grant' : '';
        return `${data.kind ?? 'VIEW'} ${data.target} by ${(event.metadata as { actor: { role?: string } }).actor.role ?? null}${grant}`;
      });
  };

  it('views and exports by a member, an operator and an auditor', async () => {
    const server = suite();
    const publisherId = (await server.gql(REGISTER, { input: aPublisher() })).data!['registerPublisher'].publisher.id;
    const ok = (response: { errors?: unknown }) => expect(response.errors).toBeUndefined();
    ok(await server.gql(`query ($id: ID!) { publisher(id: $id) { contact { email } } }`, { id: publisherId }));
    await openAccessGrant(server, operator, publisherId);
    ok(
      await server.gql(
        `query ($id: ID!) { publisher(id: $id) { aadUsers { displayName } } }`,
        { id: publisherId },
        operator,
      ),
    );
    ok(
      await server.gql(
        `query ($id: ID!) { history(kind: PUBLISHER, id: $id) { totalCount } }`,
        { id: publisherId },
        auditor,
      ),
    );
    ok(
      await server.gql(
        `query ($id: ID!) { exportHistory(publisherId: $id, format: JSONL) }`,
        { id: publisherId },
        auditor,
      ),
    );
    ok(await server.gql(`query ($id: ID!) { exportPersonalData(publisherId: $id) }`, { id: publisherId }));
    expect(await recorded(server, publisherId)).toEqual([
      'VIEW contact by member',
      'VIEW aadUsers by operator under a grant',
      'VIEW publisher.history by auditor',
      'EXPORT history by auditor',
      'EXPORT personalData by member',
    ]);
  });
});
