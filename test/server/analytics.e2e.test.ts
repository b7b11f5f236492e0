import { describe, expect, it } from 'vitest';
import { aPublisher, REGISTER, suiteServer } from './harness.js';

const ANALYTICS = `query ($from: String!, $to: String!, $p: String!) {
  privacyRequests(publisherId: "00000000-0000-7000-8000-000000000000", minPosition: $p) { totalCount }
  analytics { publishersByStatus { status count } offersByKindAndStatus { kind status count } changesPerDay(from: $from, to: $to) { day changes erasures } }
}`;

describe('analytics over GraphQL', () => {
  const server = suiteServer();

  it('counts registrations by status and changes on the day they happened', async () => {
    const registered = await server().gql(REGISTER, { input: aPublisher() });
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const res = await server().gql(ANALYTICS, { from: day(-1), to: day(1), p: registered.data!['registerPublisher'].position });
    expect(res.data!['analytics']).toMatchObject({
      publishersByStatus: [{ status: 'PENDING', count: 1 }, { status: 'APPROVED', count: 0 }, { status: 'REJECTED', count: 0 }],
    });
    const days = res.data!['analytics'].changesPerDay as Array<{ changes: number; erasures: number }>;
    expect(days).toHaveLength(3);
    expect(days.reduce((sum, d) => sum + d.changes, 0)).toBe(1);
    expect(res.data!['analytics'].offersByKindAndStatus).toHaveLength(9);
  });

  it('a malformed day is BAD_USER_INPUT naming the argument', async () => {
    const res = await server().gql(`{ analytics { changesPerDay(from: "yesterday", to: "2026-11-22") { day } } }`);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
  });
});
