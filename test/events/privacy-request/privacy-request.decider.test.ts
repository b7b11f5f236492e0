import { describe, it } from 'vitest';
import { NotFoundError } from '../../../src/errors.js';
import {
  privacyRequestDecider,
  type PrivacyRequestEvent,
} from '../../../src/events/privacy-request/privacy-request.js';
import { deciderSpec } from '../decider-spec.js';

const spec = deciderSpec(privacyRequestDecider);
const publisherId = 'p-1';
const now = '2026-11-22T10:00:00.000Z';
const deleted: PrivacyRequestEvent = {
  type: 'PrivacyRequestRecordDeleted',
  data: { publisherId, recordId: 'r-1', deletedAt: now },
};

describe('privacy request records decider', () => {
  it('deleting a record records its deletion', () => {
    spec
      .given([])
      .when({ type: 'DeletePrivacyRequestRecord', data: { publisherId, recordId: 'r-1', now } })
      .then([deleted]);
  });

  it('deleting a record already deleted is NOT_FOUND', () => {
    spec
      .given([deleted])
      .when({ type: 'DeletePrivacyRequestRecord', data: { publisherId, recordId: 'r-1', now } })
      .thenThrows(NotFoundError);
  });

  it('a view of personal data is recorded with its kind, target and instant', () => {
    spec
      .given([deleted])
      .when({ type: 'RecordRead', data: { publisherId, kind: 'VIEW', target: 'contact', now } })
      .then([
        { type: 'PrivacyRequestRecorded', data: { publisherId, kind: 'VIEW', target: 'contact', requestedAt: now } },
      ]);
  });

  it('an export is recorded as EXPORT', () => {
    spec
      .given([])
      .when({ type: 'RecordRead', data: { publisherId, kind: 'EXPORT', target: 'personalData', now } })
      .then([
        {
          type: 'PrivacyRequestRecorded',
          data: { publisherId, kind: 'EXPORT', target: 'personalData', requestedAt: now },
        },
      ]);
  });
});
