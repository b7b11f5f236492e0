import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { RetentionPolicy } from '../../src/privacy/retention.js';
import { loadConfig } from '../../src/server/config.js';
import { openLedger } from '../../src/server/ledger.js';
import { startTestServer, tempDataDir, UPDATE } from '../server/harness.js';
import { recordAnEdit } from '../server/privacy-scenario.js';

const at = (iso: string): Clock => ({ now: () => new Date(iso) });

const RECORDS = `query ($id: ID!, $p: String) {
  privacyRequests(publisherId: $id, minPosition: $p) { edges { node { kind requestedAt requestedBy requestedByErased } } }
}`;

describe('retention period', () => {
  it('a month is past the period once its last instant is older than the period', () => {
    const policy = new RetentionPolicy(30, at('2026-03-01T00:00:00Z'));
    expect(policy.isExpired('2025-12')).toBe(true);
    expect(policy.isExpired('2026-01')).toBe(false); // 2026-01-31 is only 29 days old
    expect(policy.lastExpiredMonth()).toBe('2025-12');
    expect(new RetentionPolicy(30, at('2026-03-03T00:00:00Z')).lastExpiredMonth()).toBe('2026-01');
    expect(policy.isExpiredBucket('retention/2025-12')).toBe(true);
    expect(policy.isExpiredBucket('client/2026-01')).toBe(false);
    expect(() => new RetentionPolicy(0, at('2026-03-01T00:00:00Z'))).toThrow(/at least 1/);
  });

  it('records past the period show their requester as erased once retention ran; newer records keep theirs; client buckets go too', async () => {
    const data = tempDataDir('pl-retention-');
    let now = '2026-01-15T09:00:00.000Z';
    const clock: Clock = { now: () => new Date(now) };
    const env = { RETENTION_DAYS: '365' };
    try {
      let server = await startTestServer(data.dir, env, { clock });
      const { id } = await recordAnEdit(server);
      const before = await server.gql(RECORDS, { id });
      expect(before.data!['privacyRequests'].edges).toEqual([
        {
          node: {
            kind: 'EDIT',
            requestedAt: '2026-01-15T09:00:00.000Z',
            requestedBy: expect.any(String),
            requestedByErased: false,
          },
        },
      ]);
      // who asked is recorded by their account at the publisher (a member), the same on every record
      const reference: string = before.data!['privacyRequests'].edges[0].node.requestedBy;
      // as the branch that records client IP and user agent names their keys
      await server.ledger.keys.getOrCreate('client/2026-01');
      await server.close();

      now = '2027-02-20T00:00:00.000Z'; // 2026-01 ended more than 365 days ago; 2026-02 did not
      const ledger = await openLedger(loadConfig({ dataDir: data.dir }, env), { clock });
      try {
        expect(await ledger.retention.run()).toEqual({
          destroyed: ['retention/2026-01', 'client/2026-01'],
          throughMonth: '2026-01',
        });
        expect(await ledger.retention.run()).toEqual({ destroyed: [], throughMonth: '2026-01' });
      } finally {
        await ledger.close();
      }

      server = await startTestServer(data.dir, env, { clock });
      try {
        const later = await server.gql(UPDATE, { input: { id, expectedVersion: 2, contact: { name: 'Li Lei' } } });
        const after = await server.gql(RECORDS, { id, p: later.data!['updatePublisherContact'].position });
        expect(after.data!['privacyRequests'].edges).toEqual([
          {
            node: {
              kind: 'EDIT',
              requestedAt: '2027-02-20T00:00:00.000Z',
              requestedBy: reference,
              requestedByErased: false,
            },
          },
          {
            node: { kind: 'EDIT', requestedAt: '2026-01-15T09:00:00.000Z', requestedBy: null, requestedByErased: true },
          },
        ]);
        // a rebuild folds the old record again: still erased, its month's key not re-created
        await server.ledger.runner.rebuild('privacy-requests');
        const rebuilt = await server.gql(RECORDS, { id });
        expect(rebuilt.data!['privacyRequests'].edges[1].node).toMatchObject({
          requestedBy: null,
          requestedByErased: true,
        });
        expect(await server.ledger.keys.getMany(['retention/2026-01'])).toEqual(new Map());
      } finally {
        await server.close();
      }
    } finally {
      data.remove();
    }
  });
});
