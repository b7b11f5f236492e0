import { describe, expect, it } from 'vitest';
import { requireUscc } from '../../src/events/publisher/uscc.js';
import { runCli } from '../server/child.js';
import { startTestServer, tempDataDir } from '../server/harness.js';

describe('privacy-ledger seed', () => {
  it('fills a new ledger through the services, so that every kind of user sees data over GraphQL', async () => {
    const data = tempDataDir('pl-seed-');
    try {
      const seeded = runCli(['seed', '--data-dir', data.dir]);
      expect(seeded.stderr).toBe('');
      expect(seeded.code).toBe(0);
      const memberOid = /--role member --oid ([0-9a-f-]{36})/.exec(seeded.stdout)![1]!;
      // A second seed would mix demo data into a real ledger: refused.
      expect(runCli(['seed', '--data-dir', data.dir]).stderr).toContain('already holds a ledger');

      const server = await startTestServer(data.dir);
      try {
        await server.ledger.runner.waitFor(await server.ledger.events.headPosition(), 10_000);
        const me = await server.gql<any>(
          '{ me { publishers { id companyName registrationCode registrationStatus contact { name } } } }',
          {},
          { role: 'member', oid: memberOid },
        );
        expect(me.errors).toBeUndefined();
        const [own] = me.data.me.publishers;
        expect(own).toMatchObject({
          companyName: '杭州云栈科技有限公司',
          registrationStatus: 'APPROVED',
          contact: { name: '王芳' },
        });
        expect(requireUscc('registrationCode', own.registrationCode)).toBe(own.registrationCode);

        const offers = await server.gql<any>(
          'query ($id: ID!) { offers(publisherId: $id) { edges { node { name status supportContacts { name qq wechat weibo erased } } } } }',
          { id: own.id },
          { role: 'member', oid: memberOid },
        );
        const contacts = offers.data.offers.edges.flatMap((e: any) => e.node.supportContacts);
        expect(contacts.some((c: any) => c.erased)).toBe(true);
        const shown = contacts.filter((c: any) => !c.erased);
        expect(
          shown.some((c: any) => c.qq) && shown.some((c: any) => c.wechat) && shown.some((c: any) => c.weibo),
        ).toBe(true);

        const requests = await server.gql<any>(
          'query ($id: ID!) { privacyRequests(publisherId: $id) { totalCount edges { node { kind } } } }',
          { id: own.id },
          { role: 'auditor' },
        );
        expect(requests.data.privacyRequests.edges.map((e: any) => e.node.kind)).toContain('ERASURE');

        const analytics = await server.gql<any>(
          '{ analytics { publishersByStatus { status count } } }',
          {},
          { role: 'analyst' },
        );
        expect(analytics.errors).toBeUndefined();
        const byStatus = Object.fromEntries(
          analytics.data.analytics.publishersByStatus.map((s: any) => [s.status, s.count]),
        );
        for (const status of ['PENDING', 'APPROVED', 'REJECTED']) expect(byStatus[status], status).toBeGreaterThan(0);

        const audit = await server.gql<any>(
          '{ auditTrail(first: 100) { edges { node { type } } } }',
          {},
          { role: 'auditor' },
        );
        const types = new Set(audit.data.auditTrail.edges.map((e: any) => e.node.type));
        for (const type of [
          'PublisherRegistered',
          'PublisherApproved',
          'PublisherRejected',
          'AadUserAdded',
          'ContactUpdated',
          'OfferPublished',
          'PersonalDataErased',
          'PublisherAccountClosed',
        ]) {
          expect(types.has(type), type).toBe(true);
        }
      } finally {
        await server.close();
      }
      expect(runCli(['verify', '--data-dir', data.dir]).code).toBe(0);
    } finally {
      data.remove();
    }
  }, 120_000);
});
