import { accessGrantProjection } from './access-grant/access-grant.projection.js';
import { analyticsProjection } from './analytics/analytics.projection.js';
import { auditProjection } from './audit-trail/audit-trail.projection.js';
import { disclosureProjection } from './disclosure/disclosure.projection.js';
import { membershipProjection, type MemberIndexes } from './membership/membership.projection.js';
import { offerDirectoryProjection } from './offer-directory/offer-directory.projection.js';
import { offerProjection } from './offer/offer.projection.js';
import { privacyRequestProjection, type RequesterSealing } from './privacy-request/privacy-request.projection.js';
import type { Projection } from './projection.js';
import { publisherProjection } from './publisher/publisher.projection.js';

/** Every projection the service maintains (the privacy request records seal their requesters with `requesters`; memberships open object ids with `members`). */
export function ledgerProjections(requesters: RequesterSealing, members: MemberIndexes): readonly Projection[] {
  return [
    publisherProjection,
    offerProjection,
    privacyRequestProjection(requesters),
    offerDirectoryProjection,
    auditProjection,
    membershipProjection(members),
    analyticsProjection,
    disclosureProjection,
    accessGrantProjection,
  ];
}

const shapes = ledgerProjections(
  { sealAll: async (records) => [...records] },
  { memberIndexesOf: async (sealed) => sealed.map(() => null) },
);

/** The names of the projections, in order (for the CLI and for tests). */
export const projectionNames: readonly string[] = shapes.map((p) => p.name);

/** Which projection folds each collection (a read of it waits for that projection while it catches up after start). */
export const collectionOwners: ReadonlyMap<string, string> = new Map(
  shapes.flatMap((p) => p.collections.map((c) => [c.name, p.name] as const)),
);

/**
 * The projections a start catches up after the others, and the service is
 * ready without: each writes a row per event of most of the log (the audit
 * trail, the privacy request records) or serves staff's reporting only
 * (analytics), so they take most of a catch-up. Meanwhile a read of their
 * models waits for them, bounded (src/projections/runner/caught-up-read-store.ts),
 * and /readyz names them with their lag. The others answer what members and
 * authorisation read on every request: publishers, offers, memberships,
 * access grants, disclosures, and the offer directory erasure relies on.
 */
export const CATCH_UP_AFTER_READY: ReadonlySet<string> = new Set(['audit', 'privacy-requests', 'analytics']);
