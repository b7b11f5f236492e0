import { expect } from 'vitest';
import { READS } from './documents.js';
import type { LedgerModel, PublisherModel } from './ledger-model.js';
import type { LedgerSystem } from './ledger-system.js';
import { INSPECTOR, type ModelPrincipal } from './principals.js';
import { offerView, publisherView } from './views.js';

/** Every page of a connection (the model's histories stay within a few pages). */
export async function allPages<Node>(
  system: LedgerSystem,
  query: string,
  variables: Record<string, unknown>,
  as: ModelPrincipal,
  field: string,
): Promise<Node[]> {
  const nodes: Node[] = [];
  let after: string | null = null;
  for (let page = 0; page < 50; page++) {
    const data: any = await system.read(query, { ...variables, after }, as);
    nodes.push(...data[field].edges.map((e: { node: Node }) => e.node));
    if (!data[field].pageInfo.hasNextPage) return nodes;
    after = data[field].pageInfo.endCursor;
  }
  throw new Error(`${field}: more than 50 pages`);
}

/** The publisher read model equals the model's publisher (read with `minPosition` straight after a write). */
export async function checkPublisher(system: LedgerSystem, p: PublisherModel, minPosition?: string): Promise<void> {
  const { publisher } = await system.read(READS.publisher, { id: p.id, minPosition }, INSPECTOR);
  const expected = publisherView(p);
  expect(publisher, `publisher ${p.id}${minPosition ? ` read with minPosition ${minPosition}` : ''}`).toEqual(expected);
}

/** `offers` lists the publisher's live offers, newest first, as the model has them. */
export async function checkOffers(system: LedgerSystem, model: LedgerModel, p: PublisherModel): Promise<void> {
  const listed = await allPages(system, READS.offers, { id: p.id }, INSPECTOR, 'offers');
  const live = model
    .offersOf(p.id)
    .filter((o) => o.status !== 'DELETED')
    .reverse();
  expect(listed, `offers of ${p.id}`).toEqual(live.map(offerView));
}

/**
 * `privacyRequests` holds, newest first, the records the model predicts
 * (views aside: who viewed what when depends on the reads the checks
 * make); the ids it shows are learned for deletions.
 */
export async function checkRecords(system: LedgerSystem, p: PublisherModel): Promise<void> {
  const nodes = await allPages<{
    id: string;
    kind: string;
    target: string;
    requestedAt: string;
    requestedBy: string | null;
    requestedByErased: boolean;
  }>(system, READS.privacyRequests, { id: p.id }, INSPECTOR, 'privacyRequests');
  const instants = nodes.map((n) => n.requestedAt);
  expect(instants, `privacy requests of ${p.id}: newest first`).toEqual([...instants].sort().reverse());
  // oldest first; records of one instant (an edit racing an erasure) in a fixed order
  const order =
    <T extends { kind: string; target: string }>(at: (t: T) => string) =>
    (a: T, b: T) =>
      at(a).localeCompare(at(b)) || `${a.kind} ${a.target}`.localeCompare(`${b.kind} ${b.target}`);
  const shown = nodes.filter((n) => n.kind !== 'VIEW').sort(order((n) => n.requestedAt));
  const records = [...p.records].sort(order((r) => r.at));
  const expected = records.map((r) => ({
    kind: r.kind,
    target: r.target,
    requestedAt: r.at,
    requestedByErased: r.requesterErased,
  }));
  expect(
    shown.map((n) => ({
      kind: n.kind,
      target: n.target,
      requestedAt: n.requestedAt,
      requestedByErased: n.requestedByErased,
    })),
    `privacy requests of ${p.id}`,
  ).toEqual(expected);
  for (const [i, node] of shown.entries()) {
    expect(node.requestedBy === null, `requester of record ${node.id}`).toBe(node.requestedByErased);
    records[i]!.id = node.id;
  }
}

/** `analytics` counts what the model holds, every status and pair listed. */
export async function checkAnalytics(system: LedgerSystem, model: LedgerModel): Promise<void> {
  const { analytics } = await system.read(READS.analytics, {}, INSPECTOR);
  // the same bug leaves the CLOSED row out even when no publisher is closed
  const statuses = ['PENDING', 'APPROVED', 'REJECTED', 'CLOSED'];
  const byStatus = Object.fromEntries(statuses.map((s) => [s, model.publishers.filter((p) => p.status === s).length]));
  const shown = analytics.publishersByStatus.filter((r: { status: string }) => statuses.includes(r.status));
  expect(
    Object.fromEntries(shown.map((r: { status: string; count: number }) => [r.status, r.count])),
    'analytics.publishersByStatus',
  ).toEqual(byStatus);
  const pairs: Record<string, number> = {};
  for (const kind of ['VIRTUAL_MACHINE', 'SOLUTION_TEMPLATE', 'CUSTOMIZED_SERVICE']) {
    for (const status of ['DRAFT', 'PUBLISHED', 'DELETED'])
      pairs[`${kind}/${status}`] = model.offers.filter((o) => o.kind === kind && o.status === status).length;
  }
  for (const [day, count] of model.days) {
    const { analytics: perDay } = await system.read(READS.changesPerDay, { day }, INSPECTOR);
    expect(perDay.changesPerDay, `analytics.changesPerDay ${day}`).toEqual([
      { day, accessGrants: 0, emergencyAccesses: 0, ...count },
    ]);
  }
  expect(
    Object.fromEntries(
      analytics.offersByKindAndStatus.map((r: { kind: string; status: string; count: number }) => [
        `${r.kind}/${r.status}`,
        r.count,
      ]),
    ),
    'analytics.offersByKindAndStatus',
  ).toEqual(pairs);
}

/** `me.publishers` are the principal's memberships in the model. */
export async function checkMe(system: LedgerSystem, model: LedgerModel, as: ModelPrincipal): Promise<void> {
  const { me } = await system.read(READS.me, {}, as);
  const expected = model.membershipsOf(as);
  expect(me.publishers.map((p: { id: string }) => p.id).sort(), `me.publishers of ${as.name}`).toEqual(expected);
}

/** After each step: what the step touched, and the counts. */
export async function checkStep(
  system: LedgerSystem,
  model: LedgerModel,
  touched: PublisherModel | undefined,
  as: ModelPrincipal,
): Promise<void> {
  if (touched) {
    await checkPublisher(system, touched);
    await checkOffers(system, model, touched);
    await checkRecords(system, touched);
  }
  await checkAnalytics(system, model);
  if (as.role === 'member') await checkMe(system, model, as);
}
