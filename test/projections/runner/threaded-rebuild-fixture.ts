// Exported values a rebuild's reading thread imports (src/projections/runner/threaded-replay.ts).
import { UpcasterRegistry } from '../../../src/events/store/upcasters.js';
import { auditProjection } from '../../../src/projections/audit-trail/audit-trail.projection.js';
import type { StandaloneProjection } from '../../../src/projections/projection.js';

/** ContactUpdated's version 1 held the e-mail in `contactEmail`; version 2, the current one here, in `contact.email`. */
export const olderContactUpdates = new UpcasterRegistry(
  [
    {
      type: 'ContactUpdated',
      fromVersion: 1,
      upcast: ({ contactEmail, ...rest }) => ({ ...rest, contact: { email: contactEmail } }),
    },
  ],
  { module: import.meta.url, name: 'olderContactUpdates' },
);

/** The event type the failing projection below throws on. */
export const POISON = 'PoisonedForTest';

/** The audit projection under its own name, throwing on a batch that holds a POISON event. */
export const failingAudit: StandaloneProjection = {
  ...auditProjection,
  name: 'failing-audit',
  standalone: { module: import.meta.url, name: 'failingAudit' },
  async project(events) {
    if (events.some((event) => event.type === POISON)) throw new Error('this projection cannot fold the batch');
    return auditProjection.project(events);
  },
};
