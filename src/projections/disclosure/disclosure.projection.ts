import type { Handles } from '../../events/ledger-events.js';
import { visibleFrom, type DisclosureNotice, type LegalBasis } from '../../events/disclosure/disclosure.events.js';
import type { PersonalValue } from '../../privacy/personal-value.js';
import { documentProjection, type ProjectedDoc } from '../document-projection.js';

export const DISCLOSURES = 'disclosures';

/**
 * One document per disclosure. The recipient's name stays sealed as the
 * log holds it (DisclosureQueries opens it), so erasing the publisher's
 * disclosure recipients erases it here too; `visibleFrom` is when the
 * publisher's members may see it (src/events/disclosure/disclosure.events.ts).
 */
export interface DisclosureDoc extends ProjectedDoc {
  publisherId: string;
  recipientName: PersonalValue;
  recipientCountry: string;
  fields: string[];
  legalBasis: LegalBasis;
  disclosedAt: string;
  notice: DisclosureNotice;
  recordedAt: string;
  /** actor id of the operator who recorded it */
  recordedBy: string;
  visibleFrom: string;
}

/** An erasure leaves the documents as they are: their sealed name reads as erased once its key is gone. */
const handles = { disclosure: { DisclosureRecorded: true, PersonalDataErased: false } } as const satisfies Handles;

export const disclosureProjection = documentProjection<DisclosureDoc, typeof handles>({
  name: 'disclosures',
  collection: {
    name: DISCLOSURES,
    indexes: [
      { name: 'by_publisher_newest', fields: [{ field: 'publisherId' }, { field: 'disclosedAt', direction: 'desc' }] },
    ],
  },
  handles,
  documentId: (event) => event.data.disclosureId,
  evolve(_doc, event) {
    const { disclosureId, publisherId, recipient, fields, legalBasis, disclosedAt, notice, recordedAt } = event.data;
    return {
      id: disclosureId,
      publisherId,
      recipientName: recipient.name,
      recipientCountry: recipient.country,
      fields: [...fields],
      legalBasis,
      disclosedAt,
      notice: { ...notice },
      recordedAt,
      recordedBy: event.metadata.actor.id,
      visibleFrom: visibleFrom(notice, recordedAt),
    };
  },
});
