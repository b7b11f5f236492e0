// Exported values a rebuild's reading thread imports (src/projections/runner/threaded-replay.ts).
import { UpcasterRegistry } from '../../../src/events/store/upcasters.js';
import { auditProjection } from '../../../src/projections/audit-trail/audit-trail.projection.js';
import type { StandaloneProjection } from '../../../src/projections/projection.js';
import type { WriteOp } from '../../../src/projections/store/read-store.js';

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

/**
 * One document per stream, unkeyed: upserted by each event, patched by an
 * approval, deleted (erased) by an even-numbered publisher's erasure. Its writes follow from the
 * events alone, and are of every kind.
 */
export const streamMarks: StandaloneProjection = {
  name: 'stream-marks',
  standalone: { module: import.meta.url, name: 'streamMarks' },
  collections: [{ name: 'stream_marks', indexes: [{ name: 'by_type', fields: [{ field: 'type' }] }] }],
  async project(events) {
    return events.flatMap((event): WriteOp[] => {
      const collection = 'stream_marks';
      // the erasures of even-numbered publishers delete their documents
      if (event.type === 'PersonalDataErased')
        return event.streamId.match(/[02468]$/)
          ? [{ kind: 'delete', collection, id: event.streamId, erase: true }]
          : [];
      if (event.type === 'PublisherApproved')
        return [{ kind: 'patch', collection, id: event.streamId, set: { approved: { at: event.position } } }];
      return [{ kind: 'upsert', collection, doc: { id: event.streamId, type: event.type, at: event.position } }];
    });
  },
};
