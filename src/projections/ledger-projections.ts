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

/** The names of the projections, in order (for the CLI and for tests). */
export const projectionNames: readonly string[] = ledgerProjections(
  { sealAll: async (records) => [...records] },
  { memberIndexesOf: async (sealed) => sealed.map(() => null) },
).map((p) => p.name);
